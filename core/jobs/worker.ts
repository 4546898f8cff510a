import { randomUUID } from "node:crypto";
import { SYSTEM_PRINCIPAL, withPrincipal } from "../auth.ts";
import { log, withLogContext } from "../log.ts";
import { runRender } from "../render/run.ts";
import { runNarrationJob } from "../speech/narration-job.ts";
import { runAssetBatch } from "./asset-batch.ts";
import { deliverCallback, scheduleCallback } from "./callbacks.ts";
import { runFinalCut } from "./final-cut.ts";
import { runFrameJob } from "./frame-job.ts";
import {
  isRetryable,
  JobFailure,
  jobErrorOf,
  LeaseLost,
  type Outcome,
  type StepContext,
} from "./outcome.ts";
import { enqueueJob } from "./queue.ts";
import { runShotVideo } from "./shot-video.ts";
import { releaseSlotOf } from "./slots.ts";
import { getJob, type Transition, updateJob } from "./store.ts";
import { runStoryboardsJob } from "./storyboards-job.ts";
import { type Job, type JobType, TERMINAL } from "./types.ts";

type Handler = (job: Job, report: StepContext["report"], step: StepContext) => Promise<Outcome>;

const HANDLERS: Record<JobType, Handler> = {
  generate_video: runShotVideo,
  compose_video: runFinalCut,
  generate_asset_images: runAssetBatch,
  render_film: runRender,
  generate_frame: runFrameJob,
  generate_storyboards: runStoryboardsJob,
  generate_narration: runNarrationJob,
};

/**
 * How long a worker owns a step. Longer than the step can take (a shot video step is a start, a
 * check or a download; the others may run up to the worker's 15-minute limit), so a duplicate
 * delivery never runs beside it; a worker that died frees the job when the lease runs out.
 */
export const LEASE_SECONDS: Record<JobType, number> = {
  generate_video: 300,
  compose_video: 16 * 60,
  generate_asset_images: 16 * 60,
  // A render step reads its children and submits the ready ones: seconds, never minutes.
  render_film: 120,
  generate_frame: 300,
  generate_storyboards: 300,
  generate_narration: 300,
};

/** A render held by another worker is looked at again this soon: its steps are short, and a
 * child that ended must not wait a whole lease to be noticed. */
const RENDER_RECHECK_SECONDS = 2;

/** Failed attempts of one step before the job fails with the step's error code. */
export const MAX_STEP_ATTEMPTS = 5;
const retryDelay = (failures: number) => Math.min(300, 5 * 2 ** (failures - 1));

const LEASE_FIELDS: (keyof Job)[] = ["lease_token", "lease_until"];
const iso = (ms: number) => new Date(ms).toISOString();
const secondsUntil = (when: string) =>
  Math.max(1, Math.ceil((Date.parse(when) - Date.now()) / 1000));

type Taken = { job: Job; token: string } | { skip: string } | { defer: number };

/**
 * Takes the job's current step for this worker: a conditional write that only succeeds when the
 * job is unfinished, the message is for the current step, and no other worker holds a lease.
 */
async function takeStep(jobId: string, seq: number | undefined): Promise<Taken> {
  const job = await getJob(jobId);
  if (!job) return { skip: "no such job" };
  if (TERMINAL.has(job.status)) return { skip: `already ${job.status}` };
  const current = job.step_seq ?? 0;
  if (seq !== undefined && seq !== current)
    return { skip: `message for step ${seq}, job at ${current}` };
  const token = randomUUID();
  const now = Date.now();
  const taken = await updateJob(jobId, {
    from: ["queued", "running"],
    set: {
      status: "running",
      step_seq: current,
      lease_token: token,
      lease_until: iso(now + LEASE_SECONDS[job.type] * 1000),
    },
    incrementAttempts: true,
    condition: {
      expression:
        "(attribute_not_exists(lease_until) OR lease_until < :now) AND (attribute_not_exists(step_seq) OR step_seq = :seq)",
      values: { ":now": iso(now), ":seq": current },
    },
  });
  if (taken) return { job: taken, token };
  const after = await getJob(jobId);
  if (!after || TERMINAL.has(after.status)) return { skip: "finished meanwhile" };
  if ((after.step_seq ?? 0) !== current) return { skip: "another worker took the step" };
  // Another worker holds the step: look again when its lease ends, in case it dies.
  const defer = after.lease_until ? secondsUntil(after.lease_until) : 5;
  return { defer: job.type === "render_film" ? Math.min(defer, RENDER_RECHECK_SECONDS) : defer };
}

/** Every write of a step's end holds only while this worker still owns the step. */
const owned = (token: string, t: Transition): Transition => ({
  ...t,
  condition: {
    expression: `lease_token = :lease${t.condition ? ` AND (${t.condition.expression})` : ""}`,
    values: { ...t.condition?.values, ":lease": token },
  },
});

async function finishStep(job: Job, token: string, outcome: Outcome): Promise<void> {
  const seq = job.step_seq ?? 0;
  const clear: (keyof Job)[] = [...LEASE_FIELDS, "step_failures", "last_error"];
  if (outcome.kind === "wait") {
    const released = await updateJob(
      job.job_id,
      owned(token, { from: ["running"], set: {}, remove: LEASE_FIELDS }),
    );
    if (released) await enqueueJob(job.job_id, outcome.delaySeconds, seq);
    return;
  }
  if (outcome.kind === "later") {
    const moved = await updateJob(
      job.job_id,
      owned(token, {
        from: ["running"],
        set: {
          ...outcome.set,
          step_seq: seq + 1,
          ...(outcome.progress !== undefined ? { progress: outcome.progress } : {}),
        },
        remove: clear,
      }),
    );
    if (!moved) throw new LeaseLost("the job moved on before the next step was scheduled");
    await enqueueJob(job.job_id, outcome.delaySeconds, seq + 1);
    return;
  }
  // A result that landed after a cancel was kept as a version, not used: the job is canceled.
  const status = outcome.canceled ? "canceled" : "succeeded";
  const done = await updateJob(
    job.job_id,
    owned(token, {
      from: ["running"],
      set: { ...outcome.set, status, progress: 100, result: outcome.result, step_seq: seq + 1 },
      remove: [...clear, "error"],
    }),
  );
  if (!done) throw new LeaseLost("the job moved on before its result was recorded");
  await ended(done);
  log.info(`job ${status}`, { type: job.type });
}

/** A job that ended gives back its video slot and wakes the render it is a step of. */
async function ended(job: Job): Promise<void> {
  await releaseSlotOf(job);
  await scheduleCallback(job);
  if (!job.parent_id) return;
  await enqueueJob(job.parent_id, 0).catch((error) =>
    log.warn("could not wake the render; it looks again on its own", { error }),
  );
}

/** A failed step: tried again with backoff a bounded number of times, its error shown meanwhile. */
async function failStep(job: Job, token: string, error: unknown): Promise<void> {
  const jobError = jobErrorOf(error);
  const failures = (job.step_failures ?? 0) + 1;
  if (isRetryable(error) && failures < MAX_STEP_ATTEMPTS) {
    const delay = retryDelay(failures);
    log.warn("job step failed; trying again", { type: job.type, failures, delay, error });
    const noted = await updateJob(
      job.job_id,
      owned(token, {
        from: ["running"],
        set: {
          step_failures: failures,
          last_error: { ...jobError, at: new Date().toISOString(), attempt: failures },
        },
        remove: LEASE_FIELDS,
      }),
    );
    if (noted) await enqueueJob(job.job_id, delay, job.step_seq ?? 0);
    return;
  }
  log.warn("job failed", { type: job.type, failures, error: jobError });
  const failed = await updateJob(
    job.job_id,
    owned(token, {
      from: ["running"],
      set: { status: job.cancel_requested ? "canceled" : "failed", error: jobError },
      remove: [...LEASE_FIELDS, "last_error"],
    }),
  );
  if (failed) await ended(failed);
}

/**
 * A step of a render that was canceled ends here, before anything is paid for: the render may
 * have submitted it in the moment it was canceled. Once a paid start is claimed, the step goes on
 * (a running operation is left to finish; cancel.ts marks it instead).
 */
async function dropIfRenderCanceled(job: Job, token: string): Promise<boolean> {
  if (!job.parent_id || job.start_claim || job.operation) return false;
  if ((await getJob(job.parent_id))?.status !== "canceled") return false;
  const canceled = await updateJob(
    job.job_id,
    owned(token, { from: ["running"], set: { status: "canceled" }, remove: LEASE_FIELDS }),
  );
  if (canceled) await releaseSlotOf(canceled);
  if (canceled) await scheduleCallback(canceled);
  log.info("job dropped: its render was canceled", { type: job.type });
  return true;
}

/**
 * Runs one step of a job. Idempotent: a finished job or a message for a step already taken is
 * dropped, a step runs under a lease so duplicate deliveries never run beside it, every write is
 * conditional on that lease, and the paid start is claimed at most once (see shot-video.ts).
 * Failing steps are retried with backoff and then fail the job with their typed error; only
 * infrastructure errors around that bookkeeping are thrown, so SQS delivers the message again.
 */
export function processJob(jobId: string, seq?: number): Promise<void> {
  // The API authorised the job; its step reads the project as the system, across owners.
  return withPrincipal(SYSTEM_PRINCIPAL, () => runStep(jobId, seq));
}

async function runStep(jobId: string, seq?: number): Promise<void> {
  const taken = await takeStep(jobId, seq);
  if ("skip" in taken) {
    log.info("job message dropped", { reason: taken.skip });
    return;
  }
  if ("defer" in taken) {
    log.info("job step held by another worker; looking again later", { delay: taken.defer });
    await enqueueJob(jobId, taken.defer, seq);
    return;
  }
  const { job, token } = taken;
  if (await dropIfRenderCanceled(job, token)) return;
  const step: StepContext = {
    async report(progress) {
      await updateJob(
        jobId,
        owned(token, {
          from: ["running"],
          set: { progress, lease_until: iso(Date.now() + LEASE_SECONDS[job.type] * 1000) },
        }),
      );
    },
    async holdLease() {
      const held = await updateJob(
        jobId,
        owned(token, {
          from: ["running"],
          set: { lease_until: iso(Date.now() + LEASE_SECONDS[job.type] * 1000) },
        }),
      );
      if (!held) throw new LeaseLost("the job finished or another worker took it");
    },
  };
  let outcome: Outcome;
  try {
    outcome = await HANDLERS[job.type](job, step.report, step);
  } catch (error) {
    if (error instanceof LeaseLost) return void log.warn("job step abandoned", { error });
    return failStep(job, token, error);
  }
  try {
    await finishStep(job, token, outcome);
  } catch (error) {
    if (error instanceof LeaseLost) return void log.warn("job step abandoned", { error });
    // The bookkeeping itself failed (job store, queue): SQS delivers the message again.
    throw error;
  }
}

export { JobFailure };

/** Reads a queue message; undefined when it is not one of ours. A message without a `kind` is a
 * job step (every message from before webhooks). */
export function parseJobMessage(
  body: string,
): { jobId: string; seq?: number; callbackAttempt?: number } | undefined {
  try {
    const message = JSON.parse(body) as {
      job_id?: unknown;
      seq?: unknown;
      kind?: unknown;
      attempt?: unknown;
    };
    if (typeof message.job_id !== "string" || !message.job_id) return undefined;
    if (message.kind === "callback") {
      const attempt = message.attempt;
      if (!Number.isInteger(attempt) || (attempt as number) < 1) return undefined;
      return { jobId: message.job_id, callbackAttempt: attempt as number };
    }
    if (message.kind !== undefined) return undefined;
    return {
      jobId: message.job_id,
      ...(Number.isInteger(message.seq) ? { seq: message.seq as number } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Runs the step a queue message asks for, with the job id on every log line. */
export async function processJobMessage(body: string, messageId: string): Promise<void> {
  const message = parseJobMessage(body);
  if (!message) {
    log.error("dropping a malformed job message", { messageId });
    return;
  }
  const { jobId, seq, callbackAttempt } = message;
  await withLogContext({ jobId }, async () => {
    if (callbackAttempt === undefined) return processJob(jobId, seq);
    await deliverCallback(jobId, callbackAttempt);
  });
}
