import { SWEEPER_TIMEOUT_SECONDS } from "../core/jobs/limits";
import { functionDefaults } from "./defaults";
import { ffmpegLayer } from "./ffmpeg";
import { deadLetters, jobQueue, jobsTable, WORKER_TIMEOUT_MINUTES } from "./jobs";
import { allSecrets } from "./secrets";

const common = { ...functionDefaults, link: [jobsTable, jobQueue, ...allSecrets] };

/** One job step per message; sized for ffmpeg (memory, /tmp) and a provider download. */
export const worker = jobQueue.subscribe(
  {
    ...common,
    handler: "functions/worker.handler",
    timeout: `${WORKER_TIMEOUT_MINUTES} minutes`,
    memory: "3008 MB",
    storage: "10 GB",
    layers: [ffmpegLayer],
  },
  { batch: { size: 1, partialResponses: true } },
);

/**
 * Fails the job of every dead-lettered message (`dead_lettered`). One conditional write per
 * message: well inside the dead-letter queue's 30-second visibility timeout.
 */
export const deadLetterWorker = deadLetters.subscribe(
  {
    ...functionDefaults,
    handler: "functions/dead-letter.handler",
    link: [jobsTable],
    timeout: "20 seconds",
  },
  { batch: { size: 10, partialResponses: true } },
);

/**
 * Requeues jobs whose message was lost and fails those far past their deadline. A run takes a
 * bounded page of the oldest stale jobs (core/jobs/limits.ts), well inside its timeout.
 */
export const sweeper = new sst.aws.Cron("JobSweeper", {
  schedule: "rate(5 minutes)",
  function: {
    ...common,
    handler: "functions/sweeper.handler",
    timeout: `${SWEEPER_TIMEOUT_SECONDS} seconds`,
  },
});
