import { currentOwner, LOCAL_OWNER } from "../auth.ts";
import { type Config, config } from "../config.ts";
import { AppError } from "../errors.ts";
import { qiniuEtag } from "./etag.ts";
import {
  LOCAL_ACCESS_KEY,
  LOCAL_BUCKET,
  localUploadSecret,
  publicBaseUrl,
  writeLocalFile,
} from "./local.ts";
import {
  keyInScope,
  mimeAllowed,
  signUploadToken,
  uploadKey,
  verifyUploadToken,
} from "./upload-token.ts";

/** Browser uploads land under the owner's prefix; the token cannot write anywhere else. */
export const UPLOAD_PREFIX = "uploads/";
export const uploadPrefixFor = (owner: string) => `${UPLOAD_PREFIX}${owner}/`;
export const UPLOAD_MIME_LIMIT = "image/*;video/mp4";
const RETURN_BODY = '{"key":"$(key)","hash":"$(etag)","fsize":$(fsize),"mimeType":"$(mimeType)"}';
/**
 * Where an upload that names no key lands (browsers posting just `token` and `file`): inside the
 * owner's prefix, named by content, so the same file uploaded twice is one object.
 */
export const saveKeyFor = (prefix: string) => `${prefix}$(etag)$(ext)`;

export interface UploadToken {
  token: string;
  /** Public origin that serves uploaded keys: `${domain}/${key}`. */
  domain: string;
  bucket: string;
  /** Where the browser posts the multipart form (`token`, `file`, optional `key`). */
  upload_url: string;
  key_prefix: string;
  expires_at: string;
}

const withScheme = (host: string) => (/^https?:\/\//.test(host) ? host : `https://${host}`);

export async function issueUploadToken(
  owner: string = currentOwner() ?? LOCAL_OWNER,
  cfg: Config = config(),
): Promise<UploadToken> {
  const prefix = uploadPrefixFor(owner);
  const deadline = Math.floor(Date.now() / 1000) + cfg.UPLOAD_TOKEN_TTL_SECONDS;
  const qiniu = cfg.qiniuEnabled;
  const bucket = qiniu ? (cfg.QINIU_BUCKET_NAME as string) : LOCAL_BUCKET;
  const policy = {
    scope: `${bucket}:${prefix}`,
    isPrefixalScope: 1 as const,
    saveKey: saveKeyFor(prefix),
    returnBody: RETURN_BODY,
    fsizeLimit: cfg.UPLOAD_MAX_BYTES,
    mimeLimit: UPLOAD_MIME_LIMIT,
    deadline,
  };
  const token = qiniu
    ? signUploadToken(policy, cfg.QINIU_ACCESS_KEY as string, cfg.QINIU_SECRET_KEY as string)
    : signUploadToken(policy, LOCAL_ACCESS_KEY, await localUploadSecret(cfg));
  return {
    token,
    domain: qiniu ? withScheme(cfg.QINIU_DOMAIN as string) : `${publicBaseUrl(cfg)}/files`,
    bucket,
    upload_url: qiniu
      ? withScheme(cfg.QINIU_UP_HOST ?? "upload.qiniup.com")
      : `${publicBaseUrl(cfg)}/upload`,
    key_prefix: prefix,
    expires_at: new Date(deadline * 1000).toISOString(),
  };
}

export interface UploadedFile {
  key: string;
  hash: string;
  fsize: number;
  mimeType: string;
  url: string;
}

/**
 * The local twin of Qiniu's form upload: same fields, same token rules (signature, expiry, scope,
 * size and MIME limits), so a front end can be developed without Qiniu.
 */
export async function acceptLocalUpload(
  form: { token?: unknown; key?: unknown; file?: unknown },
  cfg: Config = config(),
): Promise<UploadedFile> {
  if (typeof form.token !== "string" || !form.token) {
    throw new AppError(401, "invalid_upload_token", "Form field `token` is required");
  }
  const policy = verifyUploadToken(form.token, LOCAL_ACCESS_KEY, await localUploadSecret(cfg));
  if (!(form.file instanceof File)) {
    throw new AppError(422, "validation_failed", "Form field `file` must be a file");
  }
  const data = new Uint8Array(await form.file.arrayBuffer());
  if (policy.fsizeLimit && data.length > policy.fsizeLimit) {
    throw new AppError(413, "file_too_large", `File exceeds ${policy.fsizeLimit} bytes`);
  }
  const mimeType = form.file.type || "application/octet-stream";
  if (!mimeAllowed(policy, mimeType)) {
    throw new AppError(403, "mime_not_allowed", `Files of type ${mimeType} are not accepted`);
  }
  const hash = qiniuEtag(data);
  const formKey = typeof form.key === "string" && form.key ? form.key : undefined;
  const facts = { bucket: LOCAL_BUCKET, etag: hash, fname: form.file.name, mimeType };
  const key = uploadKey(policy, formKey, facts);
  if (!keyInScope(policy, LOCAL_BUCKET, key)) {
    throw new AppError(403, "key_out_of_scope", `Key ${key} is outside the token's scope`);
  }
  const url = await writeLocalFile(key, data, cfg);
  return { key, hash, fsize: data.length, mimeType, url };
}
