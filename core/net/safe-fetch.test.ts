import { createServer, type RequestListener, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isPublicAddress, safeFetch } from "./safe-fetch.ts";

const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==",
  "base64",
);

let server: Server;
let base: string;
let hits = 0;
const routes: Record<string, RequestListener> = {
  "/cat.png": (_req, res) => res.writeHead(200, { "content-type": "image/png" }).end(PNG),
  "/octet.png": (_req, res) =>
    res.writeHead(200, { "content-type": "application/octet-stream" }).end(PNG),
  "/page": (_req, res) =>
    res.writeHead(200, { "content-type": "image/png" }).end("<html>not an image</html>"),
  "/to-metadata": (_req, res) =>
    res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data" }).end(),
  "/hop": (_req, res) => res.writeHead(301, { location: "/cat.png" }).end(),
  "/loop": (_req, res) => res.writeHead(302, { location: "/loop" }).end(),
  "/big": (_req, res) =>
    res
      .writeHead(200, { "content-type": "image/png", "content-length": "5000" })
      .end(Buffer.alloc(5000)),
  "/stream": (_req, res) => {
    res.writeHead(200, { "content-type": "image/png" });
    res.write(PNG);
    res.end(Buffer.alloc(5000));
  },
  "/slow": (_req, res) => {
    setTimeout(() => res.writeHead(200).end(PNG), 1_000);
  },
  "/missing": (_req, res) => res.writeHead(404).end(),
};

beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    const route = routes[req.url ?? ""];
    if (route) route(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Our own test server is the only non-public address let through. */
const onlyTestServer = {
  isAllowedAddress: (ip: string) => ip === "127.0.0.1" || isPublicAddress(ip),
};

describe("refused URLs", () => {
  it.each([
    ["http://127.0.0.1/x.png", 400, "url_not_allowed"],
    ["http://127.8.9.10/x.png", 400, "url_not_allowed"],
    ["http://localhost/x.png", 400, "url_not_allowed"],
    ["http://[::1]/x.png", 400, "url_not_allowed"],
    ["http://10.1.2.3/x.png", 400, "url_not_allowed"],
    ["http://172.16.5.4/x.png", 400, "url_not_allowed"],
    ["http://172.31.255.255/x.png", 400, "url_not_allowed"],
    ["http://192.168.1.1/x.png", 400, "url_not_allowed"],
    ["http://169.254.169.254/latest/meta-data", 400, "url_not_allowed"],
    ["http://100.64.0.1/x.png", 400, "url_not_allowed"],
    ["http://0.0.0.0/x.png", 400, "url_not_allowed"],
    ["http://[::]/x.png", 400, "url_not_allowed"],
    ["http://[::ffff:127.0.0.1]/x.png", 400, "url_not_allowed"],
    ["http://[::ffff:7f00:1]/x.png", 400, "url_not_allowed"],
    ["http://[::ffff:a9fe:a9fe]/x.png", 400, "url_not_allowed"],
    ["http://[64:ff9b::10.0.0.1]/x.png", 400, "url_not_allowed"],
    ["http://[2002:c0a8:0101::1]/x.png", 400, "url_not_allowed"],
    ["http://[fd00::1]/x.png", 400, "url_not_allowed"],
    ["http://[fe80::1]/x.png", 400, "url_not_allowed"],
    ["http://[ff02::1]/x.png", 400, "url_not_allowed"],
    ["http://2130706433/x.png", 400, "url_not_allowed"], // decimal 127.0.0.1
    ["http://0177.0.0.1/x.png", 400, "url_not_allowed"], // octal
    ["http://0x7f.1/x.png", 400, "url_not_allowed"], // hex, short form
    ["http://127.1/x.png", 400, "url_not_allowed"],
    ["http://0xa9.0xfe.0xa9.0xfe/", 400, "url_not_allowed"], // metadata in hex
    ["file:///etc/passwd", 422, "invalid_url"],
    ["ftp://example.com/x.png", 422, "invalid_url"],
    ["gopher://example.com/", 422, "invalid_url"],
    ["data:image/png;base64,AAAA", 422, "invalid_url"],
    ["javascript:alert(1)", 422, "invalid_url"],
    ["http://user:pass@example.com/x.png", 422, "invalid_url"],
    ["not a url", 422, "invalid_url"],
  ])("%s → %i %s", async (url, status, code) => {
    const before = hits;
    await expect(safeFetch(url, { allowPrivate: false })).rejects.toMatchObject({ status, code });
    expect(hits).toBe(before);
  });

  it("refuses hostnames whose DNS answers include any private address", async () => {
    const resolve = async (host: string) =>
      host === "evil.example" ? ["10.0.0.5"] : ["93.184.216.34", "192.168.0.9"];
    for (const url of ["http://evil.example/x.png", "http://mixed.example/x.png"]) {
      await expect(safeFetch(url, { resolve, allowPrivate: false })).rejects.toMatchObject({
        status: 400,
        code: "url_not_allowed",
      });
    }
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
    const file = await safeFetch(`${base}/cat.png`, onlyTestServer);
    expect(Buffer.from(file.bytes).equals(PNG)).toBe(true);
    expect(file.contentType).toBe("image/png");
    const octet = await safeFetch(`${base}/octet.png`, onlyTestServer);
    expect(octet.contentType).toBe("image/png");
  });

  it("follows redirects within allowed space, re-checking each hop", async () => {
    const file = await safeFetch(`${base}/hop`, onlyTestServer);
    expect(file.finalUrl).toBe(`${base}/cat.png`);
    await expect(safeFetch(`${base}/to-metadata`, onlyTestServer)).rejects.toMatchObject({
      status: 400,
      code: "url_not_allowed",
    });
    await expect(safeFetch(`${base}/loop`, onlyTestServer)).rejects.toMatchObject({
      status: 400,
      code: "too_many_redirects",
    });
  });

  it("bounds size (declared and streamed), time, status and type", async () => {
    const small = { ...onlyTestServer, maxBytes: 1000 };
    await expect(safeFetch(`${base}/big`, small)).rejects.toMatchObject({ status: 413 });
    await expect(safeFetch(`${base}/stream`, small)).rejects.toMatchObject({ status: 413 });
    await expect(
      safeFetch(`${base}/slow`, { ...onlyTestServer, timeoutMs: 200 }),
    ).rejects.toMatchObject({
      status: 504,
      code: "url_timeout",
    });
    await expect(safeFetch(`${base}/missing`, onlyTestServer)).rejects.toMatchObject({
      status: 502,
      code: "url_fetch_failed",
    });
    await expect(safeFetch(`${base}/page`, onlyTestServer)).rejects.toMatchObject({
      status: 400,
      code: "unsupported_file_type",
    });
  });

  it("lets loopback through only when private URLs are allowed", async () => {
    await expect(safeFetch(`${base}/cat.png`, { allowPrivate: false })).rejects.toMatchObject({
      code: "url_not_allowed",
    });
    expect((await safeFetch(`${base}/cat.png`, { allowPrivate: true })).contentType).toBe(
      "image/png",
    );
  });
});
