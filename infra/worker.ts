import { LAMBDA_EXTERNALS } from "../scripts/bundle-externals";
import { ffmpegLayer } from "./ffmpeg";
import { jobQueue, jobsTable, WORKER_TIMEOUT_MINUTES } from "./jobs";
import { allSecrets } from "./secrets";
import { settings } from "./settings";

const common = {
  runtime: "nodejs24.x" as const,
  link: [jobsTable, jobQueue, ...allSecrets],
  environment: settings,
  nodejs: { esbuild: { external: LAMBDA_EXTERNALS } },
};

/** One job step per message; sized for ffmpeg (memory, /tmp) and a provider download. */
jobQueue.subscribe(
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

/** Requeues jobs whose message was lost and fails those far past their deadline. */
export const sweeper = new sst.aws.Cron("JobSweeper", {
  schedule: "rate(5 minutes)",
  function: { ...common, handler: "functions/sweeper.handler", timeout: "1 minute" },
});
