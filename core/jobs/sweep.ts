import { config } from "../config.ts";
import { log } from "../log.ts";
import { scheduleCallback } from "./callbacks.ts";
import { STALE_AFTER_SECONDS, SWEEP_BUDGET_SECONDS, SWEEP_PAGE } from "./limits.ts";
import { enqueueJob } from "./queue.ts";
import { releaseSlotOf } from "./slots.ts";
import { listStaleJobs, type StaleJob, updateJob } from "./store.ts";

export interface SweepResult {
  requeued: number;
  failed: number;
  /** Jobs that changed after they were listed (a worker or another sweep got there first). */
  skipped: number;
}

export interface SweepOptions {
  /** Jobs taken per status in this run (oldest first). */
  limit?: number;
  /** Stop taking jobs after this long; the rest wait for the next run. */
  budgetSeconds?: number;
}

/**
 * The safety net behind "a job never stays running forever": jobs whose message was lost (local
 * restarts, a message that never arrived) are put back on the queue — every step is idempotent,
 * so that is safe — and jobs past their deadline are failed as timeouts.
 */
export async function sweepStaleJobs(
  staleAfterSeconds = STALE_AFTER_SECONDS,
  options: SweepOptions = {},
): Promise<SweepResult> {
  const { limit = SWEEP_PAGE, budgetSeconds = SWEEP_BUDGET_SECONDS } = options;
  const now = Date.now();
  const stale = await listStaleJobs(new Date(now - staleAfterSeconds * 1000).toISOString(), limit);
  const result = await settleStaleJobs(stale, now + budgetSeconds * 1000);
  if (stale.length) log.info("stale jobs swept", { found: stale.length, ...result });
  return result;
}

/**
 * Re-queues or fails each listed job, but only if it is still exactly as listed (same status,
 * same `updated_at`). Re-queueing bumps `updated_at`, so of two sweeps working from the same list
 * only one queues a job, and the next sweep does not queue it again while its message waits.
 */
export async function settleStaleJobs(stale: StaleJob[], stopAt = Infinity): Promise<SweepResult> {
  const deadlineMs = config().VIDEO_TIMEOUT_MINUTES * 2 * 60_000;
  const result: SweepResult = { requeued: 0, failed: 0, skipped: 0 };
  for (const job of stale) {
    if (Date.now() > stopAt) break;
    const unchanged = {
      expression: "updated_at = :seen",
      values: { ":seen": job.updated_at },
    };
    const ageMs = Date.now() - Date.parse(job.created_at);
    if (ageMs > deadlineMs) {
      const failed = await updateJob(job.job_id, {
        from: [job.status],
        condition: unchanged,
        set: {
          status: "failed",
          error: {
            code: "timeout",
            message: `Not finished after ${Math.round(ageMs / 60_000)} minutes`,
          },
        },
      });
      if (failed) await releaseSlotOf(failed);
      if (failed) await scheduleCallback(failed);
      result[failed ? "failed" : "skipped"]++;
      continue;
    }
    // The write itself is the claim: it only bumps `updated_at` (as every update does).
    const claimed = await updateJob(job.job_id, {
      from: [job.status],
      condition: unchanged,
      set: {},
    });
    if (!claimed) {
      result.skipped++;
      continue;
    }
    // For the step the job is at: if its own message turns up after all, one of the two is
    // dropped as a duplicate instead of both running.
    await enqueueJob(job.job_id, 0, claimed.step_seq);
    result.requeued++;
  }
  return result;
}
