import { createHmac, timingSafeEqual } from "node:crypto";
import { config } from "../config.ts";
import { AppError } from "../errors.ts";
import { rateLimitsActive, spendAuthFailure, spendRate } from "../rate-limit.ts";
import { enqueueJob } from "./queue.ts";
import { getJob } from "./store.ts";
import { TERMINAL } from "./types.ts";

/**
 * Completion callbacks for shot videos. A video start asks the provider to call
 * `<PUBLIC_BASE_URL>/api/v1/hooks/video/<job id>?token=<HMAC of the job id>` when it is done. The
 * body is never trusted (nor needed): a call with a valid token only schedules the job's current
 * step at once, and that step checks the operation with the provider as any poll does. So a
 * forged or replayed call costs at most one extra check and never changes a job's state; polling
 * stays the fallback for callbacks that never come.
 */
export const VIDEO_HOOK_PATH = "/api/v1/hooks/video";

const tokenOf = (jobId: string, secret: string) =>
  createHmac("sha256", secret).update(`video-hook:${jobId}`).digest("base64url");

/** What a video start sends so the provider calls back; undefined when callbacks are off. */
export interface VideoWebhook {
  uri: string;
  /** Echoed in the provider's notification; informational only. */
  metadata: { job_id: string };
}

/**
 * The callback of a job, when this deployment can receive one: a signing secret and a public
 * https origin (a provider cannot call a loopback or plain-http address, and may refuse the start).
 */
export function videoWebhook(jobId: string): VideoWebhook | undefined {
  const { WEBHOOK_SECRET: secret, PUBLIC_BASE_URL: base } = config();
  if (!secret || !base?.startsWith("https://")) return undefined;
  const uri = `${base.replace(/\/+$/, "")}${VIDEO_HOOK_PATH}/${encodeURIComponent(jobId)}?token=${tokenOf(jobId, secret)}`;
  return { uri, metadata: { job_id: jobId } };
}

/** Constant-time check of a callback's token; false when callbacks are off. */
export function validHookToken(jobId: string, token: string | undefined): boolean {
  const secret = config().WEBHOOK_SECRET;
  if (!secret || !token) return false;
  const expected = Buffer.from(tokenOf(jobId, secret));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * A provider says a job's video is done. A bad token counts as a failed authentication of the
 * caller's address (429 past the limit, like a bad API key) and is a 401; a good one counts in the
 * job owner's `read` class and puts the job's current step on the queue with no delay. Returns
 * whether a check was scheduled (not for a finished job, nor one whose video is not started yet).
 */
export async function acceptVideoHook(
  jobId: string,
  token: string | undefined,
  source: string,
): Promise<{ checking: boolean }> {
  if (!validHookToken(jobId, token)) {
    if (rateLimitsActive()) await spendAuthFailure(source);
    throw new AppError(401, "invalid_webhook_token", "The callback's token is invalid");
  }
  const job = await getJob(jobId);
  if (job?.type !== "generate_video" || TERMINAL.has(job.status) || !job.operation)
    return { checking: false };
  if (rateLimitsActive()) await spendRate(job.owner ?? "(none)", undefined, "read");
  await enqueueJob(job.job_id, 0, job.step_seq);
  return { checking: true };
}
