import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import qiniu from "qiniu";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeQiniu, startFakeQiniu } from "../../test/support/fakes/qiniu.ts";
import { parseConfig } from "../config.ts";
import { qiniuStorage } from "./qiniu.ts";

const keys = { accessKey: "test-ak", secretKey: "test-sk", bucket: "films" };
let fake: FakeQiniu;
beforeAll(async () => {
  fake = await startFakeQiniu(keys);
});
afterAll(() => fake.stop());

const storage = (secretKey = keys.secretKey) =>
  qiniuStorage(
    parseConfig({
      QINIU_ACCESS_KEY: keys.accessKey,
      QINIU_SECRET_KEY: secretKey,
      QINIU_BUCKET_NAME: keys.bucket,
      QINIU_DOMAIN: "https://cdn.example.com",
      QINIU_UP_HOST: fake.url,
    }),
  );

describe("Qiniu storage (real qiniu SDK)", () => {
  it("uploads to the configured up host with a token scoped to the key", async () => {
    const bytes = Buffer.from("frame bytes");
    const url = await storage().put("projects/1/frames/a b.png", bytes, "image/png");
    expect(url).toBe("https://cdn.example.com/projects/1/frames/a%20b.png");
    expect(fake.files.get("projects/1/frames/a b.png")).toEqual({ bytes, mimeType: "image/png" });
    const upload = fake.requests.at(-1);
    expect(upload?.method).toBe("POST");
    expect(String(upload?.headers["content-type"])).toContain("multipart/form-data");
    // Exactly one request: no region lookup at Qiniu's UC service.
    expect(fake.requests).toHaveLength(1);
  });

  it("reports a rejected upload token as a typed error, not a success", async () => {
    await expect(
      storage("wrong-secret").put("projects/1/x.png", Buffer.from("x"), "image/png"),
    ).rejects.toMatchObject({
      code: "provider_auth_failed",
      message: expect.stringContaining("bad token"),
    });
    expect(fake.files.has("projects/1/x.png")).toBe(false);
  });

  it("speaks the same token format as the SDK: a key outside the scope is refused with 403", async () => {
    const mac = new qiniu.auth.digest.Mac(keys.accessKey, keys.secretKey);
    const token = new qiniu.rs.PutPolicy({
      scope: `${keys.bucket}:allowed.png`,
      expires: 60,
    }).uploadToken(mac);
    const uploader = new qiniu.form_up.FormUploader(
      new qiniu.conf.Config({
        useHttpsDomain: false,
        regionsProvider: new qiniu.httpc.Region({
          services: {
            [qiniu.httpc.SERVICE_NAME.UP]: [
              new qiniu.httpc.Endpoint(new URL(fake.url).host, { defaultScheme: "http" }),
            ],
          },
        }),
      }),
    );
    const result = await uploader.put(
      token,
      "other.png",
      Buffer.from("x"),
      new qiniu.form_up.PutExtra(),
    );
    expect(result.ok()).toBe(false);
    expect(result.resp.statusCode).toBe(403);
  });
});

describe("Qiniu storage: files (real qiniu SDK, resumable upload v2)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "qiniu-file-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("streams a file up in 4 MiB parts, never as one form body, and reports progress", async () => {
    // Two parts: the SDK reads and sends one part at a time.
    const bytes = randomBytes(4 * 1024 * 1024 + 100_000);
    const path = join(dir, "final.mp4");
    await writeFile(path, bytes);
    const before = fake.requests.length;
    const sent: [number, number][] = [];
    const url = await storage().putFile("projects/1/final/j.mp4", path, "video/mp4", (n, total) =>
      sent.push([n, total]),
    );
    expect(url).toBe("https://cdn.example.com/projects/1/final/j.mp4");
    const stored = fake.files.get("projects/1/final/j.mp4");
    expect(stored?.mimeType).toBe("video/mp4");
    expect(stored?.bytes.equals(bytes)).toBe(true);
    const object = `/buckets/films/objects/${qiniu.util.urlsafeBase64Encode("projects/1/final/j.mp4")}`;
    const calls = fake.requests
      .slice(before)
      .map((r) => `${r.method} ${r.path.replace(/\/uploads\/[^/]+/, "/uploads/<id>")}`);
    // init, two parts, complete; no form upload (POST /) holding the whole file.
    expect(calls).toEqual([
      `POST ${object}/uploads`,
      `PUT ${object}/uploads/<id>/1`,
      `PUT ${object}/uploads/<id>/2`,
      `POST ${object}/uploads/<id>`,
    ]);
    expect(fake.requests.slice(before).map((r) => r.body.length)).toEqual([
      0,
      4 * 1024 * 1024,
      100_000,
      expect.any(Number),
    ]);
    expect(sent).toEqual([
      [4 * 1024 * 1024, bytes.length],
      [bytes.length, bytes.length],
    ]);
  });

  it("reports a refused file upload as a typed error", async () => {
    const path = join(dir, "small.mp4");
    await writeFile(path, Buffer.from("clip"));
    await expect(
      storage("wrong-secret").putFile("projects/1/final/x.mp4", path, "video/mp4"),
    ).rejects.toMatchObject({ code: "provider_auth_failed" });
    expect(fake.files.has("projects/1/final/x.mp4")).toBe(false);
  });
});
