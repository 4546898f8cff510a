import { log, withLogContext } from "../log.ts";
import { runAssetBatch } from "./asset-batch.ts";
import { runFinalCut } from "./final-cut.ts";
import { jobErrorOf, type Outcome } from "./outcome.ts";
import { enqueueJob } from "./queue.ts";
import { runShotVideo } from "./shot-video.ts";
import { getJob, updateJob } from "./store.ts";
import { type Job, type JobType, TERMINAL } from "./types.ts";

type Handler = (job: Job, report: (progress: number) => Promise<void>) => Promise<Outcome>;

const HANDLERS: Record<JobType, Handler> = {
  generate_video: runShotVideo,
  compose_video: runFinalCut,
  generate_asset_images: runAssetBatch,
};

/**
 * Runs one step of a job. Idempotent: terminal jobs are ignored, every state change is a
 * conditional write, and the paid start is claimed at most once (see shot-video.ts).
 * Infrastructure errors are thrown so SQS delivers the message again; job failures are recorded.
 */
export async function processJob(jobId: string): Promise<void> {
  let job = await getJob(jobId);
  if (!job || TERMINAL.has(job.status)) return;
  if (job.status === "queued") {
    job =
      (await updateJob(jobId, {
        from: ["queued"],
        set: { status: "running" },
        incrementAttempts: true,
      })) ?? (await getJob(jobId));
    if (!job || TERMINAL.has(job.status)) return;
  } else {
    job = (await updateJob(jobId, { from: ["running"], set: {}, incrementAttempts: true })) ?? job;
  }
  const report = async (progress: number) => {
    await updateJob(jobId, { from: ["running"], set: { progress } });
  };
  let outcome: Outcome;
  try {
    outcome = await HANDLERS[job.type](job, report);
  } catch (error) {
    const jobError = jobErrorOf(error);
    if (jobError.code === "internal_error") throw error;
    log.warn("job failed", { type: job.type, error: jobError });
    await updateJob(jobId, {
      from: ["queued", "running"],
      set: { status: "failed", error: jobError },
    });
    return;
  }
  if (outcome.kind === "skip") return;
  if (outcome.kind === "later") {
    await updateJob(jobId, {
      from: ["running"],
      set: {
        ...outcome.set,
        ...(outcome.progress !== undefined ? { progress: outcome.progress } : {}),
      },
    });
    await enqueueJob(jobId, outcome.delaySeconds);
    return;
  }
  await updateJob(jobId, {
    from: ["running"],
    set: { status: "succeeded", progress: 100, result: outcome.result },
    remove: ["error"],
  });
  log.info("job succeeded", { type: job.type });
}

export interface SqsRecordLike {
  messageId: string;
  body: string;
}

/** The SQS batch contract: report only the failed messages, so the rest are not redelivered. */
export async function handleJobBatch(
  records: SqsRecordLike[],
): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> {
  const batchItemFailures: { itemIdentifier: string }[] = [];
  for (const record of records) {
    let jobId = "";
    try {
      jobId = String((JSON.parse(record.body) as { job_id?: unknown }).job_id ?? "");
    } catch {
      log.error("dropping a malformed job message", { messageId: record.messageId });
      continue;
    }
    try {
      await withLogContext({ jobId }, () => processJob(jobId));
    } catch (error) {
      log.error("job step failed; SQS will deliver it again", { jobId, error });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
