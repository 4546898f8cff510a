import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isPublicAddress, type SafeFetchOptions, safeFetch } from "./safe-fetch.ts";

const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==",
  "base64",
);
/** The start of an MP4: a box size, then `ftyp` and an MP4 brand. */
const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from("ftypisom"), Buffer.alloc(16)]);
const AVIF = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from("ftypavif"), Buffer.alloc(16)]);

/** Holds a response open; the timer goes when the client hangs up so nothing outlives a test. */
const stall: RequestListener = (_req, res) => {
  const timer = setTimeout(() => res.end(), 5_000);
  res.on("close", () => clearTimeout(timer));
};

const routes: Record<string, RequestListener> = {
  "/cat.png": (_req, res) => res.writeHead(200, { "content-type": "image/png" }).end(PNG),
  "/octet.png": (_req, res) =>
    res.writeHead(200, { "content-type": "application/octet-stream" }).end(PNG),
  "/page.html": (_req, res) =>
    res.writeHead(200, { "content-type": "text/html" }).end("<html>hello</html>"),
  "/lying.png": (_req, res) =>
    res.writeHead(200, { "content-type": "image/png" }).end("<html>not an image</html>"),
  "/clip": (_req, res) => res.writeHead(200, { "content-type": "video/mp4" }).end(MP4),
  "/photo.avif": (_req, res) => res.writeHead(200, { "content-type": "video/mp4" }).end(AVIF),
  "/to-metadata": (_req, res) =>
    res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data" }).end(),
  "/hop2": (_req, res) => res.writeHead(307, { location: "/hop1" }).end(),
  "/hop1": (_req, res) => res.writeHead(301, { location: "/cat.png" }).end(),
  "/loop": (_req, res) => res.writeHead(302, { location: "/loop" }).end(),
  "/big": (_req, res) =>
    res
      .writeHead(200, { "content-type": "image/png", "content-length": "5000" })
      .end(Buffer.alloc(5000)),
  // write() before end(): no Content-Length, so Node sends it chunked.
  "/stream": (_req, res) => {
    res.writeHead(200, { "content-type": "image/png" });
    res.write(PNG);
    res.end(Buffer.alloc(5000));
  },
  "/slow-headers": stall,
  "/slow-body": (req, res) => {
    res.writeHead(200, { "content-type": "image/png" }).write(PNG.subarray(0, 8));
    stall(req, res);
  },
};

let server: Server;
let port: number;
let base: string;
/** Requests that reached the server, to prove refused URLs never connected. */
let seen: { path: string; host: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ path: req.url ?? "", host: req.headers.host ?? "" });
    const route = routes[(req.url ?? "").split("?")[0] ?? ""];
    if (route) route(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
beforeEach(() => {
  seen = [];
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Our own test server is the only non-public address let through. */
const local: SafeFetchOptions = {
  isAllowedAddress: (ip) => ip === "127.0.0.1" || isPublicAddress(ip),
};
const refusal = (status: number, code: string) => expect.objectContaining({ status, code });

describe("refused URLs", () => {
  it.each([
    ["http://127.0.0.1/x.png", 422, "url_not_allowed"],
    ["http://127.8.9.10/x.png", 422, "url_not_allowed"],
    ["http://localhost/x.png", 422, "url_not_allowed"],
    ["http://[::1]/x.png", 422, "url_not_allowed"],
    ["http://10.1.2.3/x.png", 422, "url_not_allowed"],
    ["http://172.16.5.4/x.png", 422, "url_not_allowed"],
    ["http://172.31.255.255/x.png", 422, "url_not_allowed"],
    ["http://192.168.1.1/x.png", 422, "url_not_allowed"],
    ["http://169.254.169.254/latest/meta-data", 422, "url_not_allowed"],
    ["http://100.64.0.1/x.png", 422, "url_not_allowed"],
    ["http://0.0.0.0/x.png", 422, "url_not_allowed"],
    ["http://255.255.255.255/x.png", 422, "url_not_allowed"],
    ["http://240.0.0.1/x.png", 422, "url_not_allowed"],
    ["http://224.0.0.1/x.png", 422, "url_not_allowed"],
    ["http://[::]/x.png", 422, "url_not_allowed"],
    ["http://[::ffff:127.0.0.1]/x.png", 422, "url_not_allowed"],
    ["http://[::ffff:7f00:1]/x.png", 422, "url_not_allowed"],
    ["http://[::ffff:a9fe:a9fe]/x.png", 422, "url_not_allowed"], // mapped metadata address
    ["http://[64:ff9b::10.0.0.1]/x.png", 422, "url_not_allowed"], // NAT64
    ["http://[2002:c0a8:0101::1]/x.png", 422, "url_not_allowed"], // 6to4 of 192.168.1.1
    ["http://[fd00::1]/x.png", 422, "url_not_allowed"],
    ["http://[fe80::1]/x.png", 422, "url_not_allowed"],
    ["http://[ff02::1]/x.png", 422, "url_not_allowed"],
    ["http://2130706433/x.png", 422, "url_not_allowed"], // decimal 127.0.0.1
    ["http://0177.0.0.1/x.png", 422, "url_not_allowed"], // octal
    ["http://0x7f.1/x.png", 422, "url_not_allowed"], // hex, short form
    ["http://127.1/x.png", 422, "url_not_allowed"], // short form
    ["http://0xa9.0xfe.0xa9.0xfe/", 422, "url_not_allowed"], // metadata in hex
    ["file:///etc/passwd", 422, "invalid_url"],
    ["ftp://example.com/x.png", 422, "invalid_url"],
    ["gopher://example.com/", 422, "invalid_url"],
    ["data:image/png;base64,AAAA", 422, "invalid_url"],
    ["javascript:alert(1)", 422, "invalid_url"],
    ["http://user:pass@example.com/x.png", 422, "invalid_url"],
    ["http://user@example.com/x.png", 422, "invalid_url"],
    ["not a url", 422, "invalid_url"],
    ["http://[fd00:ec2::254]/latest/meta-data", 422, "url_not_allowed"], // AWS IPv6 metadata
    ["http://metadata.google.internal/computeMetadata/v1/", 422, "url_not_allowed"],
    ["http://METADATA.google.internal./x", 422, "url_not_allowed"],
    ["http://images.localhost/x.png", 422, "url_not_allowed"],
    ["http://nonexistent.invalid/x.png", 422, "url_unresolvable"],
  ])("%s → %i %s", async (url, status, code) => {
    await expect(safeFetch(url, { allowPrivate: false })).rejects.toEqual(refusal(status, code));
  });

  it("explains the refusal and points at ALLOW_PRIVATE_URLS", async () => {
    await expect(
      safeFetch("http://10.0.0.1/a.png?sig=s3cret", { allowPrivate: false }),
    ).rejects.toThrow(/non-public address.*ALLOW_PRIVATE_URLS/);
  });

  it("refuses hostnames when any DNS answer is private, and reports DNS failures", async () => {
    const answers: Record<string, string[]> = {
      "evil.example": ["10.0.0.5"],
      "mixed.example": ["93.184.216.34", "192.168.0.9"],
      "mapped.example": ["::ffff:169.254.169.254"],
      "empty.example": [],
    };
    const resolve = async (host: string) => {
      const found = answers[host];
      if (!found)
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
      return found;
    };
    const options = { resolve, allowPrivate: false };
    for (const host of ["evil.example", "mixed.example", "mapped.example"]) {
      await expect(safeFetch(`http://${host}/x.png`, options)).rejects.toEqual(
        refusal(422, "url_not_allowed"),
      );
    }
    // A name that does not exist is the user's mistake, not a failure of ours.
    for (const host of ["empty.example", "nowhere.example"]) {
      await expect(safeFetch(`http://${host}/x.png`, options)).rejects.toEqual(
        refusal(422, "url_unresolvable"),
      );
    }
    // A DNS server that fails is ours.
    const flaky = async (host: string) => {
      throw Object.assign(new Error(`getaddrinfo EAI_AGAIN ${host}`), { code: "EAI_AGAIN" });
    };
    await expect(
      safeFetch("http://flaky.example/x.png", { resolve: flaky, allowPrivate: false }),
    ).rejects.toEqual(refusal(502, "url_fetch_failed"));
  });
});

describe("address policy", () => {
  it.each(["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700::1111", "2a00:1450:4001::200e"])(
    "%s is public",
    (ip) => expect(isPublicAddress(ip)).toBe(true),
  );
  it.each(["127.0.0.1", "10.0.0.1", "::1", "::ffff:192.168.0.1", "fe80::1", "not-an-ip"])(
    "%s is not",
    (ip) => expect(isPublicAddress(ip)).toBe(false),
  );
});

describe("fetching", () => {
  it("fetches an allowed image and reports its real type", async () => {
    const file = await safeFetch(`${base}/cat.png`, local);
    expect(Buffer.from(file.bytes).equals(PNG)).toBe(true);
    expect(file).toMatchObject({ contentType: "image/png", finalUrl: `${base}/cat.png` });
    expect((await safeFetch(`${base}/octet.png`, local)).contentType).toBe("image/png");
  });

  it("connects to the checked address but keeps the hostname in the Host header", async () => {
    // images.example has no real DNS entry: only the pinned address can make this work.
    const resolve = async () => ["127.0.0.1"];
    const file = await safeFetch(`http://images.example:${port}/cat.png`, { ...local, resolve });
    expect(file.contentType).toBe("image/png");
    expect(seen).toEqual([{ path: "/cat.png", host: `images.example:${port}` }]);
  });

  it("checks the bytes, not the Content-Type", async () => {
    for (const path of ["/page.html", "/lying.png", "/clip"]) {
      await expect(safeFetch(`${base}${path}`, local)).rejects.toEqual(
        refusal(400, "unsupported_file_type"),
      );
    }
    const video = { ...local, accept: "video" as const };
    expect((await safeFetch(`${base}/clip`, video)).contentType).toBe("video/mp4");
    for (const path of ["/cat.png", "/photo.avif"]) {
      await expect(safeFetch(`${base}${path}`, video)).rejects.toEqual(
        refusal(400, "unsupported_file_type"),
      );
    }
  });

  it("follows redirects within allowed space and re-checks every hop", async () => {
    const file = await safeFetch(`${base}/hop2`, local);
    expect(file.finalUrl).toBe(`${base}/cat.png`);
    await expect(safeFetch(`${base}/hop2`, { ...local, maxRedirects: 1 })).rejects.toEqual(
      refusal(400, "too_many_redirects"),
    );
    await expect(safeFetch(`${base}/to-metadata`, local)).rejects.toEqual(
      refusal(422, "url_not_allowed"),
    );
  });

  it("stops a redirect loop after maxRedirects", async () => {
    seen = [];
    await expect(safeFetch(`${base}/loop`, { ...local, maxRedirects: 3 })).rejects.toEqual(
      refusal(400, "too_many_redirects"),
    );
    expect(seen).toHaveLength(4);
  });

  it("caps the size, declared or streamed", async () => {
    const small = { ...local, maxBytes: 1000 };
    for (const path of ["/big", "/stream"]) {
      await expect(safeFetch(`${base}${path}`, small)).rejects.toEqual(
        refusal(413, "remote_file_too_large"),
      );
    }
  });

  it("times out on slow headers and on a slow body", async () => {
    for (const path of ["/slow-headers", "/slow-body"]) {
      await expect(safeFetch(`${base}${path}`, { ...local, timeoutMs: 150 })).rejects.toEqual(
        refusal(504, "url_timeout"),
      );
    }
  });

  it("reports HTTP errors and refused connections as 502, without the query string", async () => {
    const missing = safeFetch(`${base}/missing?token=s3cret`, local);
    await expect(missing).rejects.toEqual(refusal(502, "url_fetch_failed"));
    await expect(missing).rejects.toThrow(`${base}/missing answered HTTP 404`);
    await expect(missing).rejects.not.toThrow(/s3cret/);

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = safeFetch(`http://127.0.0.1:${closedPort}/x.png`, local);
    await expect(refused).rejects.toEqual(refusal(502, "url_fetch_failed"));
    await expect(refused).rejects.toThrow(/connection was refused/);
  });

  it("lets loopback through only when private URLs are allowed", async () => {
    await expect(safeFetch(`${base}/cat.png`, { allowPrivate: false })).rejects.toEqual(
      refusal(422, "url_not_allowed"),
    );
    expect(seen).toEqual([]);
    const file = await safeFetch(`${base}/cat.png`, { allowPrivate: true });
    expect(file.contentType).toBe("image/png");
  });
});
