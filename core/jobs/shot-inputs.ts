import { config } from "../config.ts";
import type { Storyboard } from "../db/schema.ts";
import type { ImageFile, VideoRequest } from "../providers/types.ts";
import { checkVideoRequest } from "../providers/video/capabilities.ts";
import { planShotVideo, type ShotVideoPlan, storedPlanOf } from "../shot-video-plan.ts";
import { loadImage } from "../storage/load-image.ts";
import { JobFailure } from "./outcome.ts";
import type { Job } from "./types.ts";

/** Seconds a shot video job renders: its plan's, else (a job from before plans) the default. */
export const shotSecondsOf = (job: Job) =>
  storedPlanOf(job.input)?.duration_seconds ?? config().VIDEO_SECONDS;

/**
 * Everything the paid start sends, read and checked before the start is claimed (a failure here
 * costs nothing): the job's plan (made at submit time; a job without one gets it now), the
 * model's capabilities checked once more against the model that will really be called, and the
 * images downloaded. `planned` is true when the plan was made here and must be stored.
 */
export async function shotVideoInputs(
  job: Job,
  board: Storyboard,
  model: string,
): Promise<{
  plan: ShotVideoPlan;
  planned: boolean;
  request: Omit<VideoRequest, "webhook">;
}> {
  const stored = storedPlanOf(job.input);
  const plan: ShotVideoPlan =
    stored ?? (await planShotVideo(board.id, String(job.input.shot_prompt), model));
  const reference = plan.mode === "reference";
  if (!reference && !board.frameImageUrl) {
    throw new JobFailure({
      code: "frame_missing",
      message: `Storyboard ${board.id} has no first frame`,
    });
  }
  // The model called may differ from the one planned (the route or model changed since):
  // a capability it lacks is refused here, before anything is paid for.
  const checked = checkVideoRequest(model, {
    image: !reference,
    lastFrame: plan.last_frame_url ?? undefined,
    referenceImages: plan.reference_urls,
    durationSeconds: plan.duration_seconds,
    aspectRatio: plan.aspect_ratio,
    resolution: plan.resolution,
  });
  const [image, lastFrame, ...referenceImages] = await Promise.all([
    reference ? undefined : loadImage(board.frameImageUrl as string),
    plan.last_frame_url ? loadImage(plan.last_frame_url) : undefined,
    ...plan.reference_urls.map((url) => loadImage(url)),
  ]);
  const used: ShotVideoPlan = {
    ...plan,
    model,
    duration_seconds: checked.durationSeconds,
    aspect_ratio: checked.aspectRatio,
    resolution: checked.resolution,
    mapped: [...plan.mapped, ...checked.mapped],
  };
  return {
    plan: used,
    planned: !stored || checked.mapped.length > 0 || model !== plan.model,
    request: {
      ...(image ? { image } : {}),
      ...(lastFrame ? { lastFrame } : {}),
      ...(referenceImages.length ? { referenceImages: referenceImages as ImageFile[] } : {}),
      prompt: used.prompt,
      aspectRatio: used.aspect_ratio,
      durationSeconds: used.duration_seconds,
      resolution: used.resolution,
    },
  };
}

/**
 * What a finished shot video records of how it was made (its version's provenance and the job's
 * result): the prompt sent, the length, shape and resolution used and what was mapped, and the
 * continuity inputs. A job from before plans records what it had.
 */
export function shotProvenanceOf(job: Job) {
  const plan = storedPlanOf(job.input);
  if (!plan) return { prompt: String(job.input.shot_prompt), continuity: {}, used: {} };
  return {
    prompt: plan.prompt,
    continuity: {
      last_frame_url: plan.last_frame_url,
      last_frame_source: plan.last_frame_source,
      reference_asset_ids: plan.reference_asset_ids,
      reference_urls: plan.reference_urls,
    },
    used: {
      mode: plan.mode,
      style: plan.style,
      duration_seconds: plan.duration_seconds,
      aspect_ratio: plan.aspect_ratio,
      resolution: plan.resolution,
      mapped: plan.mapped,
    },
  };
}
