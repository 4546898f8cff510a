import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { db } from "../db/client.ts";
import { assets, type Storyboard } from "../db/schema.ts";
import { generateFrame } from "../frames.ts";
import { extractLastFrame } from "../media/frame.ts";
import { drawWithSafetyRewrite } from "../safety-rewrite.ts";
import { frameInputsOf } from "../staleness.ts";
import { downloadToFile } from "../storage/download.ts";
import { storageProvider } from "../storage/index.ts";
import { requireLiveStoryboard } from "../storyboards.ts";
import { recordVersion } from "../versions.ts";
import { JobFailure, type Outcome, type StepContext } from "./outcome.ts";
import { getJob } from "./store.ts";
import type { Job } from "./types.ts";

const MAX_CLIP_BYTES = 512 * 1024 * 1024;

/** Whether the job is still wanted: a cancel that came meanwhile keeps the result out of use
 * (recorded as a version the user may select, not made current). */
async function stillWanted(jobId: string): Promise<boolean> {
  const job = await getJob(jobId);
  return job?.status === "running" && !job.cancel_requested;
}

/**
 * A render's frame step for one shot: drawn from its prompt and assets (one image call), or, with
 * `from_storyboard_id` (chain continuity on a model without last frames), the real last frame of
 * that shot's current video, taken with ffmpeg (no provider call).
 */
export async function runFrameJob(
  job: Job,
  _report: StepContext["report"],
  step: StepContext,
): Promise<Outcome> {
  const board = await requireLiveStoryboard(job.storyboard_id as number);
  const from = job.input.from_storyboard_id;
  if (typeof from === "number") return lastFrameOf(job, board, from, step);
  const drawn = await generateFrame(board.id, board.framePrompt, board.frameAssetIds, {
    provenance: { job_id: job.job_id },
    current: () => stillWanted(job.job_id),
    // A refused prompt is rewritten once by the LLM and drawn again (render only). Nothing is
    // drawn once the job is canceled or taken over: checked right before each image call.
    safetyRewrite: (shot, draw) =>
      drawWithSafetyRewrite(shot, async (prompt) => {
        await step.holdLease();
        return draw(prompt);
      }),
  });
  return { kind: "done", result: { frame_image_url: drawn.frameImageUrl } };
}

async function lastFrameOf(
  job: Job,
  board: Storyboard,
  fromId: number,
  step: StepContext,
): Promise<Outcome> {
  const previous = await requireLiveStoryboard(fromId);
  if (!previous.shotVideoUrl) {
    throw new JobFailure({
      code: "previous_video_missing",
      message: `Shot ${fromId} has no video to take shot ${board.id}'s first frame from`,
    });
  }
  const dir = await mkdtemp(join(tmpdir(), "last-frame-"));
  try {
    const clip = join(dir, "previous.mp4");
    const png = join(dir, "last.png");
    await downloadToFile(previous.shotVideoUrl, clip, {
      accept: "video",
      maxBytes: MAX_CLIP_BYTES,
    });
    await extractLastFrame(clip, png);
    await step.holdLease();
    const storage = await storageProvider();
    const url = await storage.putFile(
      `projects/${board.projectId}/frames/${randomUUID()}.png`,
      png,
      "image/png",
    );
    const refs = await (await db())
      .select({ id: assets.id, imageVersionId: assets.imageVersionId })
      .from(assets)
      .where(eq(assets.projectId, board.projectId));
    const inputs = {
      // The shot's own prompt and assets, so its staleness reads as for a drawn frame.
      ...frameInputsOf(board, refs),
      previous_video_version_id: previous.videoVersionId,
    };
    await step.holdLease();
    await recordVersion(
      {
        projectId: board.projectId,
        storyboardId: board.id,
        kind: "frame",
        url,
        source: "generated",
        provenance: {
          provider: "ffmpeg",
          model: "last-frame",
          prompt: board.framePrompt,
          template: null,
          input_versions: { previous_video: previous.videoVersionId },
          method: "last_frame_of_previous_shot",
          previous_storyboard_id: previous.id,
          previous_video_url: previous.shotVideoUrl,
          cost_usd: 0,
          job_id: job.job_id,
        },
        inputs,
      },
      {
        frameMeta: {
          provider: "ffmpeg",
          method: "last_frame_of_previous_shot",
          previous_storyboard_id: previous.id,
          previous_frame_url: board.frameImageUrl,
          generated_at: new Date().toISOString(),
        },
      },
      { keepPointer: !(await stillWanted(job.job_id)) },
    );
    return {
      kind: "done",
      result: { frame_image_url: url, from_storyboard_id: previous.id },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
