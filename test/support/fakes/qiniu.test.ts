/**
 * Contract tests of the fake Qiniu: the REAL `qiniu` SDK uploads to it on 127.0.0.1 exactly as it
 * would to Qiniu, faults included. If an SDK upgrade changes the wire format, these fail before the adapter tests built
 * on the fake mislead anyone.
 */
import diagnostics from "node:diagnostics_channel";
import type { ClientRequest } from "node:http";
import type { Socket } from "node:net";
import { crc32 } from "node:zlib";
import { PNG } from "pngjs";
import qiniu from "qiniu";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { qiniuEtag } from "../../../core/storage/etag.ts";
import { type FakeQiniu, startFakeQiniu } from "./qiniu.ts";

const png = (() => {
  const image = new PNG({ width: 4, height: 4 });
  image.data.fill(200);
  return PNG.sync.write(image);
})();

describe("fake Qiniu with the real qiniu SDK", () => {
  const keys = { accessKey: "test-ak", secretKey: "test-sk", bucket: "films" };
  let fake: FakeQiniu;
  /** Every host the process opened an HTTP request or a TCP socket to during a test. */
  const contacted: string[] = [];
  const onRequest = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    contacted.push(`http ${request.getHeader("host")}`);
  };
  const onSocket = (message: unknown) => {
    const socket = (message as { socket: Socket }).socket;
    socket.once("lookup", (_error, _address, _family, host) => contacted.push(`dns ${host}`));
    socket.once("connect", () =>
      contacted.push(`tcp ${socket.remoteAddress}:${socket.remotePort}`),
    );
  };
  beforeAll(async () => {
    fake = await startFakeQiniu(keys);
    diagnostics.subscribe("http.client.request.start", onRequest);
    diagnostics.subscribe("net.client.socket", onSocket);
  });
  afterAll(async () => {
    diagnostics.unsubscribe("http.client.request.start", onRequest);
    diagnostics.unsubscribe("net.client.socket", onSocket);
    await fake.stop();
  });
  beforeEach(() => {
    contacted.length = 0;
    fake.requests.length = 0;
    fake.faults.length = 0;
    fake.files.clear();
    fake.uploads.length = 0;
  });

  const uploader = () =>
    new qiniu.form_up.FormUploader(
      new qiniu.conf.Config({
        // Must be false: the SDK passes this scheme over the endpoint's `defaultScheme`.
        useHttpsDomain: false,
        regionsProvider: new qiniu.httpc.Region({
          services: {
            [qiniu.httpc.SERVICE_NAME.UP]: [
              new qiniu.httpc.Endpoint(`127.0.0.1:${fake.port}`, { defaultScheme: "http" }),
            ],
          },
        }),
      }),
    );
  const token = (policy: Record<string, unknown>, secretKey = keys.secretKey) =>
    new qiniu.rs.PutPolicy({ expires: 600, ...policy }).uploadToken(
      new qiniu.auth.digest.Mac(keys.accessKey, secretKey),
    );
  const put = (uploadToken: string, key: string, bytes: Buffer, mimeType = "image/png") =>
    uploader().put(
      uploadToken,
      key,
      bytes,
      new qiniu.form_up.PutExtra(key, { "x:project": "7" }, mimeType),
    );

  it("accepts an upload with the SDK's token: {hash, key}, stored, served, nothing else contacted", async () => {
    const key = "projects/7/frames/a b.png";
    const result = await put(token({ scope: `${keys.bucket}:${key}` }), key, png);
    expect(result.ok()).toBe(true);
    expect(result.data).toEqual({ hash: qiniuEtag(png), key });
    expect(fake.files.get(key)).toEqual({ bytes: png, mimeType: "image/png" });

    const [req] = fake.requests;
    expect(req?.method).toBe("POST");
    expect(req?.path).toBe("/");
    expect(String(req?.headers["content-type"])).toMatch(/^multipart\/form-data; boundary=/);
    const [upload] = fake.uploads;
    expect(upload?.fields.map(([name]) => name)).toEqual(["token", "key", "x:project", "crc32"]);
    expect(upload?.fields.find(([name]) => name === "crc32")?.[1]).toBe(String(crc32(png)));
    expect(upload).toMatchObject({ fname: key, mimeType: "image/png", fsize: png.length });

    const served = await fetch(`${fake.url}/${encodeURI(key)}`);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true);

    // One upload request, to the fake only: no region query at uc.qiniuapi.com, no DNS at all.
    expect(fake.requests).toHaveLength(2); // the upload and our own GET
    expect(contacted.filter((c) => c.startsWith("dns"))).toEqual([]);
    expect(new Set(contacted)).toEqual(
      new Set([`http 127.0.0.1:${fake.port}`, `tcp 127.0.0.1:${fake.port}`]),
    );
  });

  it("refuses a token signed with another secret key: 401, r.ok() false (resolves, no throw)", async () => {
    const result = await put(token({ scope: keys.bucket }, "wrong-sk"), "a.png", png);
    expect(result.ok()).toBe(false);
    expect(result.resp.statusCode).toBe(401);
    expect(result.data).toEqual({ error: "bad token" });
    expect(fake.files.size).toBe(0);
  });

  it("refuses an expired token with 401", async () => {
    const result = await put(token({ scope: keys.bucket, expires: -10 }), "a.png", png);
    expect(result.resp.statusCode).toBe(401);
    expect(result.data).toEqual({ error: "expired token" });
  });

  it("refuses a key outside the scope with 403; a prefixal scope admits its prefix", async () => {
    const exact = await put(token({ scope: `${keys.bucket}:allowed.png` }), "other.png", png);
    expect(exact.ok()).toBe(false);
    expect(exact.resp.statusCode).toBe(403);

    const prefixal = token({ scope: `${keys.bucket}:uploads/`, isPrefixalScope: 1 });
    expect((await put(prefixal, "uploads/u1.png", png)).ok()).toBe(true);
    expect((await put(prefixal, "elsewhere/u1.png", png)).resp.statusCode).toBe(403);
    expect((await put(token({ scope: "other-bucket" }), "a.png", png)).resp.statusCode).toBe(403);
  });

  it("enforces fsizeLimit (413) and mimeLimit (403)", async () => {
    const small = token({ scope: keys.bucket, fsizeLimit: 10 });
    expect((await put(small, "big.png", png)).resp.statusCode).toBe(413);
    const images = token({ scope: keys.bucket, mimeLimit: "image/*;video/mp4" });
    expect((await put(images, "a.png", png)).ok()).toBe(true);
    expect((await put(images, "a.mp4", png, "video/mp4")).ok()).toBe(true);
    const text = await put(images, "a.txt", Buffer.from("hi"), "text/plain");
    expect(text.resp.statusCode).toBe(403);
    expect(text.data).toEqual({ error: "file mimeType not allowed" });
  });

  it("answers 614 for an existing key under insertOnly, and renders returnBody", async () => {
    const insertOnly = token({ scope: keys.bucket, insertOnly: 1 });
    expect((await put(insertOnly, "once.png", png)).ok()).toBe(true);
    const again = await put(insertOnly, "once.png", png);
    expect(again.resp.statusCode).toBe(614);
    expect(again.data).toEqual({ error: "file exists" });

    const returnBody = '{"key":"$(key)","hash":"$(etag)","fsize":$(fsize),"p":"$(x:project)"}';
    const result = await put(token({ scope: keys.bucket, returnBody }), "rb.png", png);
    expect(result.data).toEqual({ key: "rb.png", hash: qiniuEtag(png), fsize: png.length, p: "7" });
  });

  it("lets a fault stand in for Qiniu (e.g. 503), which put() also resolves with", async () => {
    fake.faults.push({ status: 503, body: { error: "service unavailable" } });
    const result = await put(token({ scope: keys.bucket }), "a.png", png);
    expect(result.ok()).toBe(false);
    expect(result.resp.statusCode).toBe(503);
  });
});
