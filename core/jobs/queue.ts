import { sendMessage } from "../aws/sqs.ts";
import { config } from "../config.ts";

/** Kept for tests and the local stack: the queue client keeps no state (endpoint read per call). */
export function resetJobQueue(): void {}

/** SQS caps a message delay at 15 minutes. */
export const MAX_DELAY_SECONDS = 900;

/** What a queue message carries: the job and, when known, the step it is for. */
export interface JobMessage {
  job_id: string;
  /** The job's `step_seq` when the message was sent; a message for a step already taken is a
   * duplicate and is dropped. Absent: any step (first message, sweeper). */
  seq?: number;
}

/** A webhook delivery attempt of a finished job, on the same queue (see callbacks.ts). */
export async function enqueueCallback(jobId: string, attempt: number, delaySeconds: number) {
  const queueUrl = config().JOBS_QUEUE_URL;
  if (!queueUrl) throw new Error("JOBS_QUEUE_URL is not configured");
  await sendMessage({
    QueueUrl: queueUrl,
    MessageBody: JSON.stringify({ kind: "callback", job_id: jobId, attempt }),
    DelaySeconds: Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.round(delaySeconds))),
  });
}

/** Puts a job on the work queue; `delaySeconds` schedules a later check without holding a worker. */
export async function enqueueJob(jobId: string, delaySeconds = 0, seq?: number): Promise<void> {
  const queueUrl = config().JOBS_QUEUE_URL;
  if (!queueUrl) throw new Error("JOBS_QUEUE_URL is not configured");
  await sendMessage({
    QueueUrl: queueUrl,
    MessageBody: JSON.stringify({ job_id: jobId, ...(seq !== undefined ? { seq } : {}) }),
    DelaySeconds: Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.round(delaySeconds))),
  });
}
