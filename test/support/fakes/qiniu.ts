import { crc32 } from "node:zlib";
import { qiniuEtag } from "../../../core/storage/etag.ts";
import {
  keyInScope,
  mimeAllowed,
  type UploadPolicy,
  uploadKey,
  verifyUploadToken,
} from "../../../core/storage/upload-token.ts";
import { resumableUploads } from "./qiniu-resumable.ts";
import { type Fake, type Reply, startFake } from "./server.ts";

/** One accepted form upload, with every form field the client sent. */
export interface QiniuUpload {
  key: string;
  hash: string;
  fsize: number;
  mimeType: string;
  /** The file part's filename (the SDK sends `putExtra.fname`). */
  fname: string;
  /** Text fields in the order they arrived: `token`, `key`, `x:*`, `crc32`, `x-qn-meta-*`. */
  fields: [string, string][];
}

export interface FakeQiniu extends Fake {
  /** Stored objects by key; also served at `GET /<key>` (the fake doubles as the domain). */
  files: Map<string, { bytes: Buffer; mimeType: string }>;
  uploads: QiniuUpload[];
}

export interface FakeQiniuOptions {
  accessKey: string;
  secretKey: string;
  bucket: string;
}

/** Policy fields Qiniu honours that `UploadPolicy` (what we sign) leaves out. */
type FullPolicy = UploadPolicy & { insertOnly?: number; fsizeMin?: number };

const qiniuError = (status: number, error: string): Reply => ({ status, body: { error } });

/** Qiniu's magic variables in `returnBody`, JSON-escaped as Qiniu does inside strings. */
function renderReturnBody(
  template: string,
  vars: Record<string, string | number>,
  fields: Map<string, string>,
): string {
  return template.replace(/\$\(([^)]+)\)/g, (whole, name: string) => {
    const value = name.startsWith("x:") ? fields.get(name) : vars[name];
    if (value === undefined) return name.startsWith("x:") ? "" : whole;
    return typeof value === "number" ? String(value) : JSON.stringify(value).slice(1, -1);
  });
}

/**
 * Qiniu's form upload (`POST /`, multipart: token, key, x:*, file, crc32) with Qiniu's token
 * rules — signature and deadline (401), scope and MIME limit (403), `fsizeLimit` (413), crc32
 * (406), `insertOnly` (614) — resumable uploads v2 (`qiniu-resumable.ts`), and the bucket's
 * public domain (`GET /<key>`) on the same port.
 */
export async function startFakeQiniu(opts: FakeQiniuOptions): Promise<FakeQiniu> {
  const files = new Map<string, { bytes: Buffer; mimeType: string }>();
  const uploads: QiniuUpload[] = [];
  const resumable = resumableUploads(opts, { files, uploads });
  const fake = await startFake(async (req) => {
    if (req.path.startsWith("/buckets/")) return resumable(req);
    if (req.method === "GET" || req.method === "HEAD") {
      const file = files.get(decodeURIComponent(req.path.split("?")[0]?.slice(1) ?? ""));
      return file
        ? { status: 200, body: file.bytes, headers: { "content-type": file.mimeType } }
        : qiniuError(404, "no such file or directory");
    }
    if (req.method !== "POST" || req.path.split("?")[0] !== "/")
      return qiniuError(404, "no such route");
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
    const fields: [string, string][] = [];
    for (const [name, value] of form) if (typeof value === "string") fields.push([name, value]);
    const token = form.get("token");
    const file = form.get("file");
    if (typeof token !== "string" || !token) return qiniuError(401, "token not specified");
    let policy: FullPolicy;
    try {
      policy = verifyUploadToken(token, opts.accessKey, opts.secretKey);
    } catch (error) {
      return qiniuError(
        401,
        (error as Error).message.includes("expired") ? "expired token" : "bad token",
      );
    }
    if (!(file instanceof File)) return qiniuError(400, "file is not specified in multipart");
    const bytes = Buffer.from(await file.arrayBuffer());
    const hash = qiniuEtag(bytes);
    // Without a `key` field Qiniu uses saveKey, else the scope's key, else the content hash.
    const formKey = form.get("key");
    const mimeType = file.type || "application/octet-stream";
    const [bucket = ""] = policy.scope.split(":");
    const key = uploadKey(policy, typeof formKey === "string" ? formKey : undefined, {
      bucket,
      etag: hash,
      fname: file.name,
      mimeType,
    });
    if (!keyInScope(policy, opts.bucket, key))
      return qiniuError(403, "key doesn't match with scope");
    if (policy.fsizeLimit && bytes.length > policy.fsizeLimit)
      return qiniuError(413, "file exceeds fsizeLimit");
    if (policy.fsizeMin && bytes.length < policy.fsizeMin)
      return qiniuError(403, "file is smaller than fsizeMin");
    if (!mimeAllowed(policy, mimeType)) return qiniuError(403, "file mimeType not allowed");
    const sentCrc = form.get("crc32");
    if (typeof sentCrc === "string" && sentCrc !== String(crc32(bytes)))
      return qiniuError(406, "crc32 not match");
    if (policy.insertOnly && files.has(key)) return qiniuError(614, "file exists");
    files.set(key, { bytes, mimeType });
    uploads.push({ key, hash, fsize: bytes.length, mimeType, fname: file.name, fields });
    if (!policy.returnBody) return { status: 200, body: { hash, key } };
    const vars = {
      bucket,
      key,
      etag: hash,
      hash,
      fsize: bytes.length,
      mimeType,
      fname: file.name,
      ext: key.includes(".") ? `.${key.split(".").pop()}` : "",
    };
    return {
      status: 200,
      body: renderReturnBody(policy.returnBody, vars, new Map(fields)),
      headers: { "content-type": "application/json" },
    };
  });
  return Object.assign(fake, { files, uploads });
}
