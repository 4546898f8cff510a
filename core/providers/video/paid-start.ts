import { failureOfStatus, isTimeout, ProviderError } from "../errors.ts";

/**
 * A paid start is sent exactly once, and what its failure means decides what the job may do:
 * - refused (an HTTP answer of 429 or 503, or no connection at all): nothing was started, so the
 *   job may try again later (`rate_limited`, `unavailable`);
 * - rejected (another 4xx): nothing was started, and trying again will not help;
 * - uncertain (the connection broke or timed out after the request went out, a 5xx other than
 *   503, an accepted reply without an operation): the provider may be rendering and billing it,
 *   so it is never sent again automatically (`uncertain`).
 */

/** Connection failures that happen before a single byte of the request reaches the provider. */
const NOT_SENT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_HAS_EXPIRED",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
]);

/** The HTTP status an SDK error carries (@google/genai's ApiError, the Interactions APIError). */
function statusOf(error: unknown): number | undefined {
  const e = error as { status?: unknown; statusCode?: unknown };
  for (const value of [e?.status, e?.statusCode]) {
    if (typeof value === "number" && value >= 100 && value < 600) return value;
  }
  return undefined;
}

/** The network error code anywhere in the cause chain (fetch wraps undici's in `cause`). */
function networkCodeOf(error: unknown): string | undefined {
  let e = error as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === "string" && /^[A-Z_]+$/.test(e.code)) return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

/** What an HTTP answer to a start means (status and the provider's own message). */
export function startAnswerFailure(
  provider: string,
  status: number,
  message: string,
): ProviderError {
  if (status === 429 || status === 503) {
    return new ProviderError(provider, failureOfStatus(status), `${message} (not started)`);
  }
  if (status >= 400 && status < 500 && status !== 408) {
    return new ProviderError(provider, failureOfStatus(status), message);
  }
  return new ProviderError(
    provider,
    "uncertain",
    `HTTP ${status} to the start request (${message}); the video may have started`,
  );
}

/** Classifies anything a start call threw; typed provider errors pass through unchanged. */
export function startFailure(
  provider: string,
  error: unknown,
  describe: (message: unknown) => string = String,
): ProviderError {
  if (error instanceof ProviderError) return error;
  const status = statusOf(error);
  const message = describe(error instanceof Error ? error.message : error);
  if (status !== undefined) return startAnswerFailure(provider, status, message);
  const code = networkCodeOf(error);
  if (code && NOT_SENT.has(code) && !isTimeout(error)) {
    return new ProviderError(provider, "unavailable", `could not connect (${code}); not started`);
  }
  return new ProviderError(
    provider,
    "uncertain",
    `no answer to the start request (${code ?? message}); the video may have started`,
  );
}

/** Sends a paid start once; every failure comes out classified as above. */
export async function paidStart<T>(
  provider: string,
  send: () => Promise<T>,
  describe?: (message: unknown) => string,
): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw startFailure(provider, error, describe);
  }
}
