import { createHmac, timingSafeEqual } from "node:crypto";
import { AppError } from "../errors.ts";

/**
 * Qiniu's upload policy. Field order matches the `qiniu` SDK's `PutPolicy`, so a token signed here
 * is byte-identical to the SDK's (a test proves it). Signing by hand keeps the token endpoint's
 * Lambda free of the SDK's ~100 ms import; uploads still go through the SDK.
 */
export interface UploadPolicy {
  scope: string;
  isPrefixalScope?: 1;
  /** The key of an upload that names none (magic variables such as `$(etag)`, `$(ext)`). */
  saveKey?: string;
  /** Use `saveKey` even when the upload names a key. */
  forceSaveKey?: boolean;
  returnBody?: string;
  fsizeLimit?: number;
  mimeLimit?: string;
  deadline: number;
}

const base64url = (data: Buffer | string) =>
  Buffer.from(data).toString("base64").replaceAll("+", "-").replaceAll("/", "_");

export function signUploadToken(
  policy: UploadPolicy,
  accessKey: string,
  secretKey: string,
): string {
  const ordered: UploadPolicy = {
    scope: policy.scope,
    ...(policy.isPrefixalScope ? { isPrefixalScope: 1 as const } : {}),
    ...(policy.saveKey ? { saveKey: policy.saveKey } : {}),
    ...(policy.forceSaveKey ? { forceSaveKey: true } : {}),
    ...(policy.returnBody ? { returnBody: policy.returnBody } : {}),
    ...(policy.fsizeLimit ? { fsizeLimit: policy.fsizeLimit } : {}),
    ...(policy.mimeLimit ? { mimeLimit: policy.mimeLimit } : {}),
    deadline: policy.deadline,
  };
  const encoded = base64url(JSON.stringify(ordered));
  const sign = base64url(createHmac("sha1", secretKey).update(encoded).digest());
  return `${accessKey}:${sign}:${encoded}`;
}

const rejected = (detail: string) => new AppError(401, "invalid_upload_token", detail);

/** Checks signature and expiry the way Qiniu's upload endpoint does; returns the policy. */
export function verifyUploadToken(
  token: string,
  accessKey: string,
  secretKey: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): UploadPolicy {
  const [ak, sign, encoded, ...rest] = token.split(":");
  if (!ak || !sign || !encoded || rest.length > 0) throw rejected("Malformed upload token");
  const expected = Buffer.from(base64url(createHmac("sha1", secretKey).update(encoded).digest()));
  const given = Buffer.from(sign);
  if (ak !== accessKey || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw rejected("Upload token signature is invalid");
  }
  let policy: UploadPolicy;
  try {
    policy = JSON.parse(Buffer.from(encoded, "base64").toString("utf8")) as UploadPolicy;
  } catch {
    throw rejected("Upload token policy is not JSON");
  }
  if (typeof policy.deadline !== "number" || policy.deadline < nowSeconds) {
    throw rejected("Upload token has expired");
  }
  return policy;
}

/** Whether `key` may be written under the policy's `bucket[:key]` scope. */
export function keyInScope(policy: UploadPolicy, bucket: string, key: string): boolean {
  const [scopeBucket, ...keyParts] = policy.scope.split(":");
  if (scopeBucket !== bucket) return false;
  const scopeKey = keyParts.join(":");
  if (!scopeKey) return true;
  return policy.isPrefixalScope ? key.startsWith(scopeKey) : key === scopeKey;
}

/** `mimeLimit` is a `;`-separated list such as `image/*;video/mp4`. */
export function mimeAllowed(policy: UploadPolicy, mime: string): boolean {
  if (!policy.mimeLimit) return true;
  return policy.mimeLimit.split(";").some((pattern) => {
    const p = pattern.trim().toLowerCase();
    const m = mime.toLowerCase();
    return p.endsWith("/*") ? m.startsWith(p.slice(0, -1)) : m === p;
  });
}

/** What Qiniu knows about an upload when it names the file: the magic variables of `saveKey`. */
export interface UploadFacts {
  bucket: string;
  /** Qiniu's etag of the bytes. */
  etag: string;
  /** The file part's name, as the browser sent it. */
  fname: string;
  mimeType: string;
}

const EXT_OF_MIME: Record<string, string> = {
  "image/png": ".png",
  "image/jpeg": ".jpg",
  "image/webp": ".webp",
  "image/gif": ".gif",
  "video/mp4": ".mp4",
};

/** `$(ext)`: from the type for the types we accept, else the file name's own (plain) suffix. */
export function extensionFor(mimeType: string, fname: string): string {
  const known = EXT_OF_MIME[mimeType.toLowerCase()];
  if (known) return known;
  const suffix = fname.match(/\.([A-Za-z0-9]{1,10})$/)?.[1];
  return suffix ? `.${suffix.toLowerCase()}` : "";
}

/** Expands the magic variables Qiniu allows in `saveKey`; unknown ones stay as written. */
export function renderSaveKey(template: string, facts: UploadFacts): string {
  const vars: Record<string, string> = {
    bucket: facts.bucket,
    etag: facts.etag,
    ext: extensionFor(facts.mimeType, facts.fname),
    fname: facts.fname,
  };
  return template.replace(/\$\((\w+)\)/g, (whole, name: string) => vars[name] ?? whole);
}

/**
 * The key an upload is stored under, in Qiniu's order: a forced `saveKey`; else the form's `key`;
 * else `saveKey`; else the scope's exact key; else the content hash.
 */
export function uploadKey(
  policy: UploadPolicy,
  formKey: string | undefined,
  facts: UploadFacts,
): string {
  if (policy.saveKey && policy.forceSaveKey) return renderSaveKey(policy.saveKey, facts);
  if (formKey) return formKey;
  if (policy.saveKey) return renderSaveKey(policy.saveKey, facts);
  const [, ...scopeKey] = policy.scope.split(":");
  if (scopeKey.length && !policy.isPrefixalScope) return scopeKey.join(":");
  return facts.etag;
}
