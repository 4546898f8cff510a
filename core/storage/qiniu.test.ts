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
