import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../core/config.ts";
import { qiniuEtag } from "../../core/storage/etag.ts";
import { issueUploadToken } from "../../core/storage/uploads.ts";
import { readReply, testApi } from "../../test/support/app.ts";
import { type FakeQiniu, startFakeQiniu } from "../../test/support/fakes/qiniu.ts";
import { mountLocalStorage } from "./storage.ts";

const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==",
  "base64",
);

/** What a browser's `<input type=file>` + FormData sends: token and file, no key. */
function browserForm(token: string, key?: string): FormData {
  const form = new FormData();
  form.set("token", token);
  if (key) form.set("key", key);
  form.set("file", new File([PNG], "IMG_0042.png", { type: "image/png" }));
  return form;
}

let api: Awaited<ReturnType<typeof testApi>>;
let qiniu: FakeQiniu;
beforeAll(async () => {
  api = await testApi();
  mountLocalStorage(api.app);
  qiniu = await startFakeQiniu({ accessKey: "AK", secretKey: "SK", bucket: "studio" });
});
afterAll(() => qiniu?.stop());

describe("browser-style uploads without a key", () => {
  it("land inside the owner's prefix, named by content, and are served", async () => {
    const token = (await api.call("GET", "/api/v1/qiniu/upload-token")).body;
    const res = await readReply(
      await api.app.request("/upload", { method: "POST", body: browserForm(token.token) }),
    );
    const key = `${token.key_prefix}${qiniuEtag(PNG)}.png`;
    expect(res).toMatchObject({
      status: 200,
      body: { key, hash: qiniuEtag(PNG), fsize: PNG.length, mimeType: "image/png" },
    });
    expect(key.startsWith("uploads/local/")).toBe(true);
    expect(res.body.url).toBe(`${token.domain}/${key}`);
    const served = await api.app.request(`/files/${key}`);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(PNG)).toBe(true);
    // The file is ours: it can be set as an asset's image at once.
    const explicit = await readReply(
      await api.app.request("/upload", {
        method: "POST",
        body: browserForm(token.token, `${token.key_prefix}named.png`),
      }),
    );
    expect(explicit.body.key).toBe("uploads/local/named.png");
  });

  it("get the same key from Qiniu itself (its fake honours saveKey as Qiniu does)", async () => {
    const cfg = parseConfig({
      QINIU_ACCESS_KEY: "AK",
      QINIU_SECRET_KEY: "SK",
      QINIU_BUCKET_NAME: "studio",
      QINIU_DOMAIN: qiniu.url,
      QINIU_UP_HOST: qiniu.url,
    });
    const token = await issueUploadToken("local", cfg);
    const res = await fetch(token.upload_url, { method: "POST", body: browserForm(token.token) });
    expect(res.status).toBe(200);
    const key = `uploads/local/${qiniuEtag(PNG)}.png`;
    expect(await res.json()).toMatchObject({ key });
    expect((await fetch(`${token.domain}/${key}`)).status).toBe(200);
  });
});
