import { AwsV4Signer } from "aws4fetch";
import { config } from "../config.ts";
import { AwsError, errorFromAnswer, errorWithoutAnswer } from "./errors.ts";

/**
 * One call of an AWS JSON-protocol API (DynamoDB, SQS): a POST of the input as JSON with
 * `X-Amz-Target: <prefix>.<Operation>`, signed with SigV4 by aws4fetch. This replaces the AWS SDK
 * (~450 KB in every bundle) with a few KB; the wire protocol is the same.
 */
export interface JsonService {
  /** SigV4 service name and the subdomain of its regional endpoint. */
  service: "dynamodb" | "sqs";
  /** `DynamoDB_20120810`, `AmazonSQS`. */
  targetPrefix: string;
  /** The endpoint variable the SDKs honour too, e.g. AWS_ENDPOINT_URL_DYNAMODB (local emulators). */
  endpointOverride: () => string | undefined;
}

export interface CallOptions {
  /** Tries in all, the first included. */
  attempts?: number;
  /** Per try: connecting, sending and reading the answer. */
  timeoutMs?: number;
}

export const DEFAULT_ATTEMPTS = 3;
export const DEFAULT_TIMEOUT_MS = 10_000;
/** First pause between tries; doubled each time, with jitter so Lambdas do not retry in step. */
const BACKOFF_MS = 50;

const CONTENT_TYPE = "application/x-amz-json-1.0";
/** Derived signing keys, per secret, day, region and service (aws4fetch's cache). */
const signingKeys = new Map<string, ArrayBuffer>();

/** What Lambda puts in every function's environment (the role's temporary credentials). */
function credentials() {
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = process.env;
  if (!AWS_ACCESS_KEY_ID || !AWS_SECRET_ACCESS_KEY)
    throw new AwsError(
      "CredentialsMissing",
      "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set",
      0,
      false,
      "credentials",
    );
  return {
    accessKeyId: AWS_ACCESS_KEY_ID,
    secretAccessKey: AWS_SECRET_ACCESS_KEY,
    sessionToken: AWS_SESSION_TOKEN || undefined,
  };
}

export function endpointOf(svc: JsonService): string {
  return svc.endpointOverride() || `https://${svc.service}.${config().AWS_REGION}.amazonaws.com`;
}

export interface SignOptions {
  /** `YYYYMMDDTHHMMSSZ`; now when absent (tests pin it). */
  datetime?: string;
}

/** The signed request for one operation: URL, headers (Authorization, X-Amz-Date, …) and body. */
export async function signRequest(
  svc: JsonService,
  operation: string,
  body: string,
  options: SignOptions = {},
): Promise<{ url: string; headers: Headers; body: string }> {
  const url = `${endpointOf(svc).replace(/\/+$/, "")}/`;
  const signed = await new AwsV4Signer({
    method: "POST",
    url,
    headers: { "content-type": CONTENT_TYPE, "x-amz-target": `${svc.targetPrefix}.${operation}` },
    body,
    ...credentials(),
    service: svc.service,
    region: config().AWS_REGION,
    cache: signingKeys,
    datetime: options.datetime,
  }).sign();
  return { url: signed.url.toString(), headers: signed.headers, body };
}

async function once<T>(svc: JsonService, operation: string, body: string, timeoutMs: number) {
  const request = await signRequest(svc, operation, body);
  const name = `${svc.targetPrefix}.${operation}`;
  let status: number;
  let text: string;
  try {
    const signal = AbortSignal.timeout(timeoutMs);
    const res = await fetch(request.url, {
      method: "POST",
      headers: request.headers,
      body,
      signal,
    });
    status = res.status;
    text = await res.text();
  } catch (error) {
    throw errorWithoutAnswer(name, error);
  }
  if (status < 200 || status >= 300) throw errorFromAnswer(name, status, text);
  return (text ? JSON.parse(text) : {}) as T;
}

/**
 * Calls `operation` with `input`, trying again on throttling, 5xx, lost connections and timeouts,
 * like the SDK's standard retry mode: every write the callers make is conditional or harmless to
 * repeat (an atomic counter may count one extra; a duplicate queue message is dropped by its seq).
 */
export async function callJson<T>(
  svc: JsonService,
  operation: string,
  input: unknown,
  options: CallOptions = {},
): Promise<T> {
  const { attempts = DEFAULT_ATTEMPTS, timeoutMs = DEFAULT_TIMEOUT_MS } = options;
  const body = JSON.stringify(input);
  for (let attempt = 1; ; attempt++) {
    try {
      return await once<T>(svc, operation, body, timeoutMs);
    } catch (error) {
      if (!(error instanceof AwsError) || !error.retryable || attempt >= attempts) throw error;
    }
    const pause = BACKOFF_MS * 2 ** (attempt - 1);
    await new Promise((r) => setTimeout(r, pause / 2 + (Math.random() * pause) / 2));
  }
}
