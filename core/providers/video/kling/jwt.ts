import { createHmac } from "node:crypto";

/**
 * Kling's API token: a JWT (RFC 7519) signed HS256 with the secret key, issued by the access key.
 * Kling documents `{iss: access key, exp: now + 1800, nbf: now - 5}` (seconds); the 5 s of
 * `nbf` slack absorbs a clock running slightly ahead of Kling's (code 1003, "not yet valid").
 * Signed with node:crypto: a JWT library would be a dependency for twenty lines.
 */
export const TOKEN_LIFETIME_SECONDS = 1800;

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A compact JWS (RFC 7515) of `claims`, HMAC-SHA256 with `secret`, parts base64url. */
export function signHs256(claims: Record<string, unknown>, secret: string): string {
  const signed = `${part({ alg: "HS256", typ: "JWT" })}.${part(claims)}`;
  return `${signed}.${createHmac("sha256", secret).update(signed).digest("base64url")}`;
}

export function klingToken(accessKey: string, secretKey: string, nowMs = Date.now()): string {
  const now = Math.floor(nowMs / 1000);
  return signHs256({ iss: accessKey, exp: now + TOKEN_LIFETIME_SECONDS, nbf: now - 5 }, secretKey);
}
