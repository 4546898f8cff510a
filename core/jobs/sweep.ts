import { config } from "../config.ts";
import { log } from "../log.ts";
import { enqueueJob } from "./queue.ts";
import { listStaleJobs, updateJob } from "./store.ts";

/**
 * The safety net behind "a job never stays running forever": jobs whose message was lost (local
 * restarts, a message parked in the dead-letter queue) are put back on the queue — every step is
 * idempotent, so that is safe — and jobs past their deadline are failed as timeouts.
 */
export async function sweepStaleJobs(
  staleAfterSeconds = 120,
): Promise<{ requeued: number; failed: number }> {
  const cfg = config();
  const now = Date.now();
  const stale = await listStaleJobs(new Date(now - staleAfterSeconds * 1000).toISOString());
  let requeued = 0;
  let failed = 0;
  for (const job of stale) {
    const ageMinutes = (now - Date.parse(job.created_at)) / 60_000;
    if (ageMinutes > cfg.VIDEO_TIMEOUT_MINUTES * 2) {
      const done = await updateJob(job.job_id, {
        from: ["queued", "running"],
        set: {
          status: "failed",
          error: {
            code: "timeout",
            message: `Not finished after ${Math.round(ageMinutes)} minutes`,
          },
        },
      });
      if (done) failed++;
      continue;
    }
    await enqueueJob(job.job_id);
    requeued++;
  }
  if (stale.length) log.info("stale jobs swept", { requeued, failed });
  return { requeued, failed };
}
