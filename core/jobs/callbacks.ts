import { createHmac } from "node:crypto";
import { config } from "../config.ts";
import { AppError, badRequest, type FieldError } from "../errors.ts";
import { log } from "../log.ts";
import { pinnedExchange } from "../net/pinned-request.ts";
import { allowedAddress, parseUserUrl } from "../net/url-policy.ts";
import { checkUserUrl } from "../net/user-url.ts";
import { enqueueCallback } from "./queue.ts";
import { documents, getJob, isConflict, table } from "./store.ts";
import type { Job } from "./types.ts";
import { jobView } from "./view.ts";

/** Waits after each failed attempt; the last one repeats until an hour has passed (SQS max 900). */
export const CALLBACK_BACKOFF_SECONDS = [10, 30, 60, 120, 300, 600, 900];
/** Attempts go on until at least this long after the first one. */
export const CALLBACK_RETRY_WINDOW_SECONDS = 3600;
const CALLBACK_TIMEOUT_MS = 10_000;

/**
 * Checks a `callback_url` when the job is submitted: webhooks configured (400
 * `webhooks_disabled`), https (http only with ALLOW_PRIVATE_URLS, for local development), and the
 * same URL rules as images (422).
 */
export async function checkCallbackUrl(raw: string, loc: FieldError["loc"]): Promise<void> {
  const cfg = config();
  if (!cfg.WEBHOOK_SECRET) {
    throw badRequest("webhooks_disabled", "Webhooks are not configured on this server");
  }
  const url = parseUserUrl(raw, "callback_url", loc);
  if (url.protocol !== "https:" && !cfg.ALLOW_PRIVATE_URLS) {
    const detail = "The callback_url must be https";
    throw new AppError(422, "invalid_url", detail, [{ loc, msg: detail, type: "invalid_url" }]);
  }
  await checkUserUrl(raw, loc);
}

/** `X-Signature` for a body sent at `t` (unix seconds). */
export function signCallback(secret: string, t: number, body: string): string {
  const v1 = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
  return `t=${t},v1=${v1}`;
}

/** Seconds until the next attempt after `attempt` failed, or undefined to give up. */
export function nextCallbackDelay(
  attempt: number,
  firstAt: number,
  now: number,
): number | undefined {
  if ((now - firstAt) / 1000 >= CALLBACK_RETRY_WINDOW_SECONDS) return undefined;
  return CALLBACK_BACKOFF_SECONDS[attempt - 1] ?? CALLBACK_BACKOFF_SECONDS.at(-1);
}

/** Called after every terminal write: the first delivery, when the job asked for one. */
export async function scheduleCallback(job: Job): Promise<void> {
  if (!job.callback_url || !config().WEBHOOK_SECRET) return;
  await enqueueCallback(job.job_id, 1, 0).catch((error) =>
    log.error("could not queue a job's webhook", { jobId: job.job_id, error }),
  );
}

/** One POST to the checked address only (DNS cannot change under us); resolves to the status. */
async function post(url: URL, body: string, signature: string): Promise<number> {
  const signal = AbortSignal.timeout(CALLBACK_TIMEOUT_MS);
  const address = await allowedAddress(url, {}, signal);
  const res = await pinnedExchange(url, address, signal, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      "x-signature": signature,
    },
    body,
  });
  res.resume(); // the answer's body is not read
  return res.statusCode ?? 0;
}

/** Appends an attempt unless it is already recorded (a duplicate delivery of the message). */
async function record(
  jobId: string,
  entry: { at: string; status: number | null; attempt: number },
) {
  try {
    await documents().updateItem({
      TableName: table(),
      Key: { job_id: jobId },
      UpdateExpression: "SET callbacks = list_append(if_not_exists(callbacks, :empty), :entry)",
      ConditionExpression:
        entry.attempt === 1 ? "attribute_not_exists(callbacks)" : "size(callbacks) = :before",
      ExpressionAttributeValues: {
        ":empty": [],
        ":entry": [entry],
        ...(entry.attempt === 1 ? {} : { ":before": entry.attempt - 1 }),
      },
    });
    return true;
  } catch (error) {
    if (isConflict(error)) return false;
    throw error;
  }
}

/**
 * One delivery attempt of a finished job's webhook: POST its JSON signed, record the attempt, and
 * queue the next one with backoff unless it was answered 2xx or the hour is over. Returns the
 * delay of the next attempt (undefined: none). `now` is the clock, for tests.
 */
export async function deliverCallback(
  jobId: string,
  attempt: number,
  now: () => number = Date.now,
): Promise<number | undefined> {
  const secret = config().WEBHOOK_SECRET;
  const job = await getJob(jobId);
  if (!secret || !job?.callback_url) return undefined;
  const done = job.callbacks ?? [];
  if (done.length >= attempt || done.some((c) => c.status && c.status < 300 && c.status >= 200)) {
    return undefined; // a duplicate message
  }
  const body = JSON.stringify(jobView(job));
  const at = now();
  let status: number | null = null;
  try {
    status = await post(
      new URL(job.callback_url),
      body,
      signCallback(secret, Math.floor(at / 1000), body),
    );
  } catch (error) {
    log.warn("webhook delivery failed", { jobId, attempt, error: (error as Error).message });
  }
  if (!(await record(jobId, { at: new Date(at).toISOString(), status, attempt }))) return undefined;
  if (status !== null && status >= 200 && status < 300) return undefined;
  const firstAt = done[0] ? Date.parse(done[0].at) : at;
  const delay = nextCallbackDelay(attempt, firstAt, at);
  if (delay === undefined) log.warn("webhook given up", { jobId, attempts: attempt });
  else await enqueueCallback(jobId, attempt + 1, delay);
  return delay;
}
