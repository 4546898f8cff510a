import { createHash, randomUUID } from "node:crypto";
import { qiniuEtag } from "../../../core/storage/etag.ts";
import {
  keyInScope,
  mimeAllowed,
  type UploadPolicy,
  verifyUploadToken,
} from "../../../core/storage/upload-token.ts";
import type { QiniuUpload } from "./qiniu.ts";
import type { Recorded, Reply } from "./server.ts";

/** Where resumable uploads land: the fake Qiniu's own store and upload log. */
export interface ResumableStore {
  files: Map<string, { bytes: Buffer; mimeType: string }>;
  uploads: QiniuUpload[];
}

const error = (status: number, message: string): Reply => ({ status, body: { error: message } });
const md5 = (bytes: Buffer) => createHash("md5").update(bytes).digest("hex");
const ROUTE = /^\/buckets\/([^/]+)\/objects\/([^/]+)\/uploads(?:\/([^/]+)(?:\/(\d+))?)?$/;
/** Qiniu's smallest part; only the last may be shorter. */
const MIN_PART = 1024 * 1024;

/**
 * Qiniu's resumable upload v2 (`/buckets/<bucket>/objects/<base64 key>/uploads`: init, PUT each
 * part, complete with the part list), as the SDK's `ResumeUploader.putFile` speaks it: the token
 * in `Authorization: UpToken …`, checked on every call (401), scope and MIME limit (403),
 * `fsizeLimit` (413), each part's Content-MD5, parts of at least 1 MiB but the last.
 */
export function resumableUploads(
  opts: { accessKey: string; secretKey: string; bucket: string },
  store: ResumableStore,
) {
  const sessions = new Map<string, { key: string; parts: Map<number, Buffer> }>();
  return (req: Recorded): Reply => {
    const match = ROUTE.exec(req.path.split("?")[0] ?? "");
    if (!match) return error(404, "no such route");
    const [, bucket, encodedKey = "", uploadId, part] = match;
    const auth = String(req.headers.authorization ?? "");
    if (!auth.startsWith("UpToken ")) return error(401, "token not specified");
    let policy: UploadPolicy;
    try {
      policy = verifyUploadToken(auth.slice(8), opts.accessKey, opts.secretKey);
    } catch {
      return error(401, "bad token");
    }
    const key = Buffer.from(encodedKey, "base64url").toString("utf8");
    if (bucket !== opts.bucket || encodedKey === "~" || !keyInScope(policy, opts.bucket, key)) {
      return error(403, "key doesn't match with scope");
    }
    if (!uploadId) {
      if (req.method !== "POST") return error(405, "method not allowed");
      const id = randomUUID();
      sessions.set(id, { key, parts: new Map() });
      return {
        status: 200,
        body: { uploadId: id, expireAt: Math.floor(Date.now() / 1000) + 3600 },
      };
    }
    const session = sessions.get(uploadId);
    if (!session || session.key !== key) return error(612, "no such uploadId");
    if (part !== undefined) {
      if (req.method !== "PUT") return error(405, "method not allowed");
      const sent = req.headers["content-md5"];
      if (sent && sent !== md5(req.body)) return error(400, "md5 not match");
      session.parts.set(Number(part), req.body);
      return { status: 200, body: { etag: qiniuEtag(req.body), md5: md5(req.body) } };
    }
    if (req.method !== "POST") return error(405, "method not allowed");
    const listed = (req.json?.parts ?? []) as { etag: string; partNumber: number }[];
    const chunks = listed.map((p) => session.parts.get(p.partNumber));
    if (
      listed.some((p, i) => p.partNumber !== i + 1) ||
      chunks.some((c, i) => !c || qiniuEtag(c) !== listed[i]?.etag) ||
      chunks.slice(0, -1).some((c) => (c as Buffer).length < MIN_PART)
    ) {
      return error(400, "invalid part list");
    }
    const bytes = Buffer.concat(chunks as Buffer[]);
    if (policy.fsizeLimit && bytes.length > policy.fsizeLimit) {
      return error(413, "file exceeds fsizeLimit");
    }
    const mimeType = String(req.json?.mimeType || "application/octet-stream");
    if (!mimeAllowed(policy, mimeType)) return error(403, "file mimeType not allowed");
    sessions.delete(uploadId);
    const hash = qiniuEtag(bytes);
    store.files.set(key, { bytes, mimeType });
    store.uploads.push({
      key,
      hash,
      fsize: bytes.length,
      mimeType,
      fname: String(req.json?.fname ?? ""),
      fields: [],
    });
    return { status: 200, body: { hash, key } };
  };
}
