import type { Outcome, StepContext } from "../jobs/outcome.ts";
import { getJob } from "../jobs/store.ts";
import type { Job } from "../jobs/types.ts";
import { generateNarration } from "./narrate.ts";

/**
 * A render's narration step for one shot: its narration and dialogue spoken into a new clip
 * (core/speech/narrate.ts). Nothing is paid for once the job is canceled or taken over, and a
 * clip that lands after a cancel is kept in the history without being made current.
 */
export async function runNarrationJob(
  job: Job,
  _report: StepContext["report"],
  step: StepContext,
): Promise<Outcome> {
  const clip = await generateNarration(job.storyboard_id as number, {
    jobId: job.job_id,
    beforePaid: () => step.holdLease(),
    current: async () => {
      const now = await getJob(job.job_id);
      return now?.status === "running" && !now.cancel_requested;
    },
  });
  return {
    kind: "done",
    result: {
      narration_audio_url: clip.narration_audio_url,
      duration_seconds: clip.duration_seconds,
    },
  };
}
