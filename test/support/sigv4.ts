import { createHash, createHmac } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { Recorded } from "./fakes/server.ts";

/**
 * AWS Signature Version 4, written from AWS's specification with node:crypto alone, so tests can
 * check what aws4fetch signs without trusting aws4fetch: canonical request → string to sign →
 * key derived from the secret, day, region and service → HMAC-SHA256.
 */
export interface Signable {
  method: string;
  /** Path without the query, e.g. `/`. */
  path: string;
  /** Query string without `?`, parameters already in canonical (sorted, encoded) order. */
  query?: string;
  headers: Record<string, string>;
  /** Lower-case names of the signed headers, sorted. */
  signedHeaders: string[];
  body: string | Buffer;
  secret: string;
  /** `YYYYMMDDTHHMMSSZ` */
  datetime: string;
  region: string;
  service: string;
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) =>
  createHmac("sha256", key).update(data).digest();

export function referenceSignature(r: Signable): string {
  const canonicalHeaders = r.signedHeaders
    .map((name) => `${name}:${(r.headers[name] ?? "").trim().replace(/\s+/g, " ")}\n`)
    .join("");
  const canonicalRequest = [
    r.method,
    r.path,
    r.query ?? "",
    canonicalHeaders,
    r.signedHeaders.join(";"),
    sha256(r.body),
  ].join("\n");
  const day = r.datetime.slice(0, 8);
  const scope = `${day}/${r.region}/${r.service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", r.datetime, scope, sha256(canonicalRequest)].join("\n");
  let key = hmac(`AWS4${r.secret}`, day);
  for (const part of [r.region, r.service, "aws4_request"]) key = hmac(key, part);
  return createHmac("sha256", key).update(stringToSign).digest("hex");
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

/** The parts of an Authorization header, or undefined when it is not SigV4's shape. */
export function parseAuthorization(header: string | undefined) {
  const m = AUTHORIZATION.exec(header ?? "");
  if (!m) return undefined;
  const [, keyId, day, region, service, signed, signature] = m as unknown as string[];
  return {
    keyId: keyId as string,
    day: day as string,
    region: region as string,
    service: service as string,
    signedHeaders: (signed as string).split(";"),
    signature: signature as string,
  };
}

const flat = (headers: IncomingHttpHeaders) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)]));

/**
 * Checks a received request the way AWS does: a known key id, and a signature that matches the
 * one computed with that key's secret. Returns why it is refused, or undefined when it is valid.
 */
export function refusal(req: Recorded, secrets: Record<string, string>): string | undefined {
  const auth = parseAuthorization(req.headers.authorization);
  if (!auth) return "MissingAuthenticationToken";
  const secret = secrets[auth.keyId];
  if (!secret) return "UnrecognizedClientException";
  const headers = flat(req.headers);
  const [path = "/", query = ""] = req.path.split("?");
  const expected = referenceSignature({
    method: req.method,
    path,
    query,
    headers,
    signedHeaders: auth.signedHeaders,
    body: req.body,
    secret,
    datetime: headers["x-amz-date"] ?? "",
    region: auth.region,
    service: auth.service,
  });
  return expected === auth.signature ? undefined : "InvalidSignatureException";
}
