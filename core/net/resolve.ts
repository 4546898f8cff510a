import { lookup } from "node:dns/promises";

/** Every address a host name resolves to. */
export type Resolver = (hostname: string) => Promise<string[]>;

const METADATA_ADDRESS = "169.254.169.254";

/**
 * Cloud metadata services by name. On GCP these resolve to the metadata address; elsewhere they
 * usually do not resolve at all. Answering for them here refuses them on every platform, with the
 * same rule (and the same ALLOW_PRIVATE_URLS switch) as the address itself.
 */
const METADATA_NAMES = new Set(["metadata", "metadata.google.internal", "metadata.goog"]);

/** An NXDOMAIN as `dns.lookup` reports it, so callers see one shape whoever answered. */
export const notFound = (hostname: string) =>
  Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
    code: "ENOTFOUND",
    hostname,
  });

const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true })).map((a) => a.address);

let override: Resolver | undefined;

/** Replaces DNS for this process (tests: no lookup may leave the machine); undefined restores it. */
export function useResolver(resolver: Resolver | undefined): void {
  override = resolver;
}

/**
 * Resolves a host name. Special-use names (RFC 6761) are answered without asking anyone:
 * `.invalid` never exists, `localhost` and `*.localhost` are loopback; so are metadata names.
 */
export function resolveHost(hostname: string): Promise<string[]> {
  const name = hostname.toLowerCase().replace(/\.$/, "");
  if (name === "invalid" || name.endsWith(".invalid")) return Promise.reject(notFound(hostname));
  if (name === "localhost" || name.endsWith(".localhost")) {
    return Promise.resolve(["127.0.0.1", "::1"]);
  }
  if (METADATA_NAMES.has(name)) return Promise.resolve([METADATA_ADDRESS]);
  return (override ?? systemResolver)(hostname);
}

/** The lookup failed because the name does not exist (or has no address), not because DNS did. */
export function isNameNotFound(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === "ENOTFOUND" || code === "ENODATA";
}
