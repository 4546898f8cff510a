import type { SQSBatchResponse } from "aws-lambda";
import { log, withLogContext } from "../log.ts";
import { scheduleCallback } from "./callbacks.ts";
import { MAX_RECEIVES } from "./limits.ts";
import { releaseSlotOf } from "./slots.ts";
import { getJob, updateJob } from "./store.ts";
import { type Job, TERMINAL } from "./types.ts";

export const DEAD_LETTERED = "dead_lettered";

/** The job and step a queue message is for (see queue.ts); undefined when it is not one. */
function jobOf(body: string): { jobId: string; seq?: number } | undefined {
  try {
    const { job_id, seq } = JSON.parse(body) as { job_id?: unknown; seq?: unknown };
    if (typeof job_id !== "string" || !job_id) return undefined;
    return { jobId: job_id, ...(Number.isInteger(seq) ? { seq: seq as number } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * A message the worker failed MAX_RECEIVES times ends its job: failed as `dead_lettered`, never
 * left `running`. Only a job still queued or running, and still at the step the message was for:
 * a finished job, or one another message already moved on, is left as it is.
 */
export async function failDeadLetteredJob(jobId: string, seq?: number): Promise<Job | undefined> {
  const job = await getJob(jobId);
  if (!job || TERMINAL.has(job.status)) return undefined;
  const step = job.step_seq;
  if (seq !== undefined && seq !== (step ?? 0)) return undefined;
  const last = job.last_error ? ` Last error: ${job.last_error.message}` : "";
  const failed = await updateJob(jobId, {
    from: ["queued", "running"],
    set: {
      status: "failed",
      error: {
        code: DEAD_LETTERED,
        message: `The worker could not process this job (${MAX_RECEIVES} deliveries failed); it will not be retried.${last}`,
      },
    },
    condition:
      step === undefined
        ? { expression: "attribute_not_exists(step_seq)" }
        : { expression: "step_seq = :step", values: { ":step": step } },
  });
  if (failed) await scheduleCallback(failed);
  return failed;
}

/** The dead-letter queue's records, each failing its job; a record that hits an error is retried. */
export async function handleDeadLetters(
  records: { messageId: string; body: string }[],
): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse["batchItemFailures"] = [];
  for (const { messageId, body } of records) {
    const message = jobOf(body);
    if (!message) {
      log.error("dropping a malformed dead-lettered message", { messageId });
      continue;
    }
    try {
      await withLogContext({ jobId: message.jobId }, async () => {
        const failed = await failDeadLetteredJob(message.jobId, message.seq);
        if (failed) await releaseSlotOf(failed);
        if (failed) log.error("job failed: its message was dead-lettered", { messageId });
        else log.warn("dead-lettered message for a job that had moved on", { messageId });
      });
    } catch (error) {
      log.error("could not settle a dead-lettered message", { messageId, error });
      batchItemFailures.push({ itemIdentifier: messageId });
    }
  }
  return { batchItemFailures };
}
