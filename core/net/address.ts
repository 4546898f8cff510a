import { BlockList, isIPv4, isIPv6 } from "node:net";

/** Ranges a user-supplied URL may never reach: everything that is not the public internet. */
const v4 = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8], // "this network", incl. the unspecified address
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, incl. cloud metadata 169.254.169.254
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, incl. broadcast
] as const) {
  v4.addSubnet(net, bits, "ipv4");
}

const v6 = new BlockList();
for (const [net, bits] of [
  ["::", 128],
  ["::1", 128],
  ["100::", 64], // discard
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique-local
  ["fe80::", 10], // link-local
  ["ff00::", 8], // multicast
] as const) {
  v6.addSubnet(net, bits, "ipv6");
}

/** The eight 16-bit groups of an IPv6 address (accepts `::` and a dotted IPv4 tail). */
function hextets(ip: string): number[] {
  let text = ip.toLowerCase().split("%")[0] ?? "";
  const dotted = text.match(/(\d+\.\d+\.\d+\.\d+)$/)?.[1];
  if (dotted) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted.split(".").map(Number);
    text = text.replace(dotted, `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`);
  }
  const [head = "", tail] = text.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const fill = tail === undefined ? [] : Array(8 - left.length - right.length).fill("0");
  return [...left, ...fill, ...right].map((h) => Number.parseInt(h, 16));
}

const v4From = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/** IPv4 addresses smuggled inside IPv6 forms: mapped, compatible, NAT64 and 6to4. */
function embeddedV4(h: number[]): string | undefined {
  const [h0, h1, h2, h3, h4, h5, h6 = 0, h7 = 0] = h;
  if (h0 === 0 && h1 === 0 && h2 === 0 && h3 === 0 && h4 === 0 && (h5 === 0xffff || h5 === 0)) {
    return v4From(h6, h7);
  }
  if (h0 === 0x64 && h1 === 0xff9b && !h2 && !h3 && !h4 && !h5) return v4From(h6, h7);
  if (h0 === 0x2002) return v4From(h1 ?? 0, h2 ?? 0);
  return undefined;
}

/** True only for globally routable unicast addresses. */
export function isPublicAddress(ip: string): boolean {
  if (isIPv4(ip)) return !v4.check(ip, "ipv4");
  if (!isIPv6(ip)) return false;
  if (v6.check(ip, "ipv6")) return false;
  const inner = embeddedV4(hextets(ip));
  return inner === undefined || isPublicAddress(inner);
}
