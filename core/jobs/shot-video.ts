import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { config } from "../config.ts";
import { db } from "../db/client.ts";
import { storyboards } from "../db/schema.ts";
import { ProviderError } from "../providers/errors.ts";
import { providers } from "../providers/index.ts";
import { recordSpend } from "../spend.ts";
import { loadImage } from "../storage/load-image.ts";
import { requireLiveStoryboard } from "../storyboards.ts";
import { JobFailure, type Outcome } from "./outcome.ts";
import { updateJob } from "./store.ts";
import type { Job } from "./types.ts";

/** Failures that prove the provider did not start anything: safe to try the start again. */
const NOT_STARTED = new Set(["rate_limited", "unavailable"]);
const MAX_START_ATTEMPTS = 5;

/** Claims the paid start for this worker; only one claim can ever succeed per job. */
async function claimStart(job: Job, token: string) {
  return updateJob(job.job_id, {
    from: ["running"],
    set: { start_claim: token },
    condition: {
      expression: "attribute_not_exists(start_claim) AND attribute_not_exists(operation)",
    },
  });
}

async function start(job: Job): Promise<Outcome> {
  if (job.start_claim) {
    // A worker claimed the start and stopped before saving the operation: it may have started
    // a paid generation. Starting again could pay twice, so the job fails and says why.
    throw new JobFailure({
      code: "start_interrupted",
      message:
        "A worker stopped between starting the video and recording it; it was not restarted to avoid paying twice. Submit the video again.",
    });
  }
  const token = randomUUID();
  if (!(await claimStart(job, token))) return { kind: "skip" };
  const cfg = config();
  const board = await requireLiveStoryboard(job.storyboard_id as number);
  if (!board.frameImageUrl) {
    throw new JobFailure({
      code: "frame_missing",
      message: `Storyboard ${board.id} has no first frame`,
    });
  }
  const { video } = await providers();
  let operation: string;
  try {
    operation = await video.start({
      image: await loadImage(board.frameImageUrl),
      prompt: String(job.input.shot_prompt),
      aspectRatio: cfg.FRAME_ASPECT_RATIO,
      durationSeconds: cfg.VIDEO_SECONDS,
      resolution: cfg.VIDEO_RESOLUTION,
    });
  } catch (error) {
    if (
      error instanceof ProviderError &&
      NOT_STARTED.has(error.failure) &&
      job.attempts < MAX_START_ATTEMPTS
    ) {
      // Refused outright, so nothing was started: release the claim and back off.
      await updateJob(job.job_id, {
        from: ["running"],
        set: {},
        remove: ["start_claim"],
        condition: { expression: "start_claim = :t", values: { ":t": token } },
      });
      return {
        kind: "later",
        delaySeconds: 5 * 2 ** job.attempts,
        set: { error: { code: error.failure, message: error.message } },
      };
    }
    throw error;
  }
  await updateJob(job.job_id, {
    from: ["running"],
    set: {
      operation: { provider: video.name, name: operation, started_at: new Date().toISOString() },
    },
    condition: { expression: "start_claim = :t", values: { ":t": token } },
  });
  return { kind: "later", delaySeconds: cfg.VIDEO_POLL_SECONDS, progress: 10 };
}

async function finish(job: Job, videoRef: string): Promise<Outcome> {
  const { video, storage } = await providers();
  const dir = await mkdtemp(join(tmpdir(), "shot-"));
  try {
    const file = join(dir, "shot.mp4");
    await video.download(videoRef, file);
    const url = await storage.put(
      `projects/${job.project_id}/videos/${job.job_id}.mp4`,
      await readFile(file),
      "video/mp4",
    );
    await recordSpend(
      job.project_id,
      "video",
      {
        provider: video.offline ? "offline" : (job.operation?.provider ?? video.name),
        model: video.model,
      },
      { seconds: config().VIDEO_SECONDS, jobId: job.job_id },
    );
    // Keyed by the job id: a duplicate delivery rewrites the same object and the same values.
    await (await db())
      .update(storyboards)
      .set({ shotVideoUrl: url, shotPrompt: String(job.input.shot_prompt) })
      .where(eq(storyboards.id, job.storyboard_id as number));
    return {
      kind: "done",
      result: {
        shot_video_url: url,
        provenance: {
          provider: job.operation?.provider,
          model: video.model,
          prompt: job.input.shot_prompt,
          frame_url: job.input.frame_image_url,
          operation: job.operation?.name,
        },
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One step of a shot video: start the paid generation once, then check back until done. */
export async function runShotVideo(job: Job): Promise<Outcome> {
  if (!job.operation) return start(job);
  const cfg = config();
  const elapsed = Date.now() - Date.parse(job.operation.started_at);
  if (elapsed > cfg.VIDEO_TIMEOUT_MINUTES * 60_000) {
    throw new JobFailure({
      code: "timeout",
      message: `No video after ${cfg.VIDEO_TIMEOUT_MINUTES} minutes`,
    });
  }
  const { video } = await providers();
  const state = await video.check(job.operation.name);
  if (state.state === "pending") {
    const progress = Math.max(
      10,
      Math.min(90, state.progress ?? Math.round((elapsed / 120_000) * 80) + 10),
    );
    return { kind: "later", delaySeconds: cfg.VIDEO_POLL_SECONDS, progress };
  }
  if (state.state === "failed") {
    throw new JobFailure({
      code: state.failure === "blocked" ? "rai_filtered" : "operation_failed",
      message: state.message,
      ...(state.reasons?.length ? { reasons: state.reasons } : {}),
    });
  }
  return finish(job, state.video);
}
