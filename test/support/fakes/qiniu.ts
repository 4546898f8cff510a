import { qiniuEtag } from "../../../core/storage/etag.ts";
import { keyInScope, mimeAllowed, verifyUploadToken } from "../../../core/storage/upload-token.ts";
import { type Fake, type Reply, startFake } from "./server.ts";

export interface FakeQiniu extends Fake {
  files: Map<string, { bytes: Buffer; mimeType: string }>;
}

const qiniuError = (status: number, error: string): Reply => ({ status, body: { error } });

/**
 * Qiniu's form upload (`POST /`, multipart: token, key, file) with Qiniu's token rules, and the
 * bucket's public domain (`GET /<key>`) on the same port.
 */
export async function startFakeQiniu(opts: {
  accessKey: string;
  secretKey: string;
  bucket: string;
}) {
  const files = new Map<string, { bytes: Buffer; mimeType: string }>();
  const fake = await startFake(async (req) => {
    if (req.method === "GET") {
      const file = files.get(decodeURI(req.path.slice(1)));
      return file
        ? { status: 200, body: file.bytes, headers: { "content-type": file.mimeType } }
        : qiniuError(404, "no such file or directory");
    }
    if (req.method !== "POST" || req.path !== "/") return qiniuError(404, "no such route");
    let form: FormData;
    try {
      form = await new Request("http://fake/", {
        method: "POST",
        headers: { "content-type": String(req.headers["content-type"]) },
        body: new Uint8Array(req.body),
      }).formData();
    } catch {
      return qiniuError(400, "invalid multipart form");
    }
    const token = form.get("token");
    const key = form.get("key");
    const file = form.get("file");
    if (typeof token !== "string") return qiniuError(401, "token not specified");
    let policy: ReturnType<typeof verifyUploadToken>;
    try {
      policy = verifyUploadToken(token, opts.accessKey, opts.secretKey);
    } catch (error) {
      return qiniuError(
        401,
        (error as Error).message.includes("expired") ? "expired token" : "bad token",
      );
    }
    if (!(file instanceof File) || typeof key !== "string")
      return qiniuError(400, "file or key missing");
    if (!keyInScope(policy, opts.bucket, key))
      return qiniuError(403, "key doesn't match with scope");
    const bytes = Buffer.from(await file.arrayBuffer());
    if (policy.fsizeLimit && bytes.length > policy.fsizeLimit)
      return qiniuError(413, "file exceeds fsizeLimit");
    if (!mimeAllowed(policy, file.type)) return qiniuError(403, "file mimeType not allowed");
    files.set(key, { bytes, mimeType: file.type || "application/octet-stream" });
    return { status: 200, body: { hash: qiniuEtag(bytes), key } };
  });
  return Object.assign(fake, { files }) as FakeQiniu;
}
