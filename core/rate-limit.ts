import { type Dynamo, dynamo } from "./aws/dynamo.ts";
import { config } from "./config.ts";
import { AppError } from "./errors.ts";
import { log } from "./log.ts";

export type RateClass = "read" | "generation" | "video";

const WINDOW_SECONDS = 60;
/** How soon a client should retry when the counter store cannot be reached. */
const UNAVAILABLE_RETRY_SECONDS = 5;

/** Which budget a request spends: paid video work, paid image/text work, or everything else. */
export function rateClassOf(method: string, path: string): RateClass {
  if (method !== "POST") return "read";
  if (/\/(generate-video|compose-video|render)$/.test(path)) return "video";
  if (
    /\/(generate-script|generate-storyboards|generate-image|generate-asset-images|generate-frame|guide-frame|regenerate|generate-narration)$|\/projects\/[^/]+\/assets$/.test(
      path,
    )
  ) {
    return "generation";
  }
  return "read";
}

/** Limits need the shared counter store (the job table), present wherever jobs can run. */
export function rateLimitsActive(): boolean {
  return Boolean(config().JOBS_QUEUE_URL);
}

let client: Dynamo | undefined;

export function resetRateLimiter(): void {
  client = undefined;
}

/** Two tries of at most 2 s each: worst case about 4 s before the 503. */
const COUNTER_CALL = { attempts: 2, timeoutMs: 2_000 };

function counters(): Dynamo {
  // Fail fast: a limiter that hangs would hold every request until the Lambda times out.
  client ??= dynamo(COUNTER_CALL);
  return client;
}

/**
 * Adds one to the counter of `subject` in the current fixed one-minute window with DynamoDB's
 * atomic ADD, so every Lambda shares the count. Counters live in the job table under `rate#…`
 * keys (outside the project index) and expire via TTL. Returns the new count and the seconds
 * left in the window; a store that cannot count is a 503 with Retry-After, never a 500.
 */
async function count(subject: string): Promise<{ count: number; retryAfter: number }> {
  const now = Math.floor(Date.now() / 1000);
  const window = Math.floor(now / WINDOW_SECONDS);
  let attributes: Record<string, unknown> | undefined;
  try {
    const res = await counters().updateItem({
      TableName: config().JOBS_TABLE,
      Key: { job_id: `rate#${subject}#${window}` },
      UpdateExpression: "ADD #count :one SET expires_at = :expires",
      ExpressionAttributeNames: { "#count": "count" },
      ExpressionAttributeValues: { ":one": 1, ":expires": (window + 2) * WINDOW_SECONDS },
      ReturnValues: "UPDATED_NEW",
    });
    attributes = res.Attributes;
  } catch (error) {
    log.error("rate limiter unavailable", { error });
    throw new AppError(
      503,
      "rate_limiter_unavailable",
      `Requests cannot be counted right now; retry in ${UNAVAILABLE_RETRY_SECONDS} s`,
      undefined,
      { "retry-after": String(UNAVAILABLE_RETRY_SECONDS) },
    );
  }
  return {
    count: Number(attributes?.count ?? 0),
    retryAfter: (window + 1) * WINDOW_SECONDS - now,
  };
}

const limited = (detail: string, retryAfter: number) =>
  new AppError(429, "rate_limited", `${detail}; retry in ${retryAfter} s`, undefined, {
    "retry-after": String(retryAfter),
  });

/** Spends one request of a key's per-minute budget for its class; over the limit is a 429. */
export async function spendRate(
  owner: string,
  keyId: number | undefined,
  rateClass: RateClass,
): Promise<void> {
  const cfg = config();
  const limit = {
    read: cfg.RATE_LIMIT_READ,
    generation: cfg.RATE_LIMIT_GENERATION,
    video: cfg.RATE_LIMIT_VIDEO,
  }[rateClass];
  if (limit === 0) return;
  const spent = await count(`${owner}#${keyId ?? "-"}#${rateClass}`);
  if (spent.count > limit)
    throw limited(
      `Too many ${rateClass} requests: ${limit} per minute for this key`,
      spent.retryAfter,
    );
}

/**
 * Counts one failed authentication from a source address (counted like any request, in the same
 * store), so guessing keys is slow and cannot hammer the key lookup. Over the limit is a 429.
 */
export async function spendAuthFailure(source: string): Promise<void> {
  const limit = config().RATE_LIMIT_AUTH_FAILURES;
  if (limit === 0) return;
  const spent = await count(`auth-failure#${source}`);
  if (spent.count > limit)
    throw limited(
      `Too many failed authentications: ${limit} per minute from this address`,
      spent.retryAfter,
    );
}
