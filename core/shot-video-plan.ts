import { and, asc, eq, gt, inArray } from "drizzle-orm";
import { db } from "./db/client.ts";
import { type Asset, assets, type Storyboard, storyboards } from "./db/schema.ts";
import { AppError, badRequest } from "./errors.ts";
import { chooseVideoModel } from "./models/choice.ts";
import { projectSettings } from "./project-settings.ts";
import {
  capabilitiesOf,
  checkVideoRequest,
  type VideoMapping,
} from "./providers/video/capabilities.ts";
import { type ProjectSettings, styledPrompt } from "./settings.ts";
import { narrationOf } from "./speech/clips.ts";
import { holdSeconds, SPEECH_TAIL_SECONDS } from "./speech/types.ts";
import { requireLiveStoryboard } from "./storyboards.ts";

/**
 * What one shot video sends, decided before any job exists: the project's settings (the
 * storyboard's own length wins), the style, and the continuity inputs the model can take. It is
 * the generate_video job's input, so the worker, provenance and the estimate all use the same.
 */
export interface ShotVideoPlan {
  model: string;
  /** first_frame · first_last_frame (ends on `last_frame_url`) · reference (no first frame). */
  mode: "first_frame" | "first_last_frame" | "reference";
  /** The user's motion prompt (stored on the storyboard when the video is done). */
  shot_prompt: string;
  /** What the model is sent: the shot prompt with the project's style. */
  prompt: string;
  style: string;
  frame_image_url: string | null;
  last_frame_url: string | null;
  /** storyboard: its own last_frame_url · chain: the next shot's first frame. */
  last_frame_source: "storyboard" | "chain" | null;
  reference_asset_ids: number[];
  reference_urls: string[];
  duration_seconds: number;
  aspect_ratio: string;
  resolution: string;
  /** Settings the model does not offer, and what was used instead. */
  mapped: VideoMapping[];
  /** Chain continuity on a model without last frames: the next shot starts from this shot's
   * real last frame (extracted with ffmpeg by the render), so those shots run one after another. */
  chain_extract: boolean;
  /** Seconds of the shot's narration clip when narration is on and it has one (else null). */
  speech_seconds: number | null;
  /** Seconds the final cut holds the last frame because even the longest length the model
   * makes is shorter than the speech and its tail; 0 when the clip holds it. */
  hold_seconds: number;
}

export interface ShotPlanInput {
  board: Pick<
    Storyboard,
    "id" | "frameImageUrl" | "lastFrameUrl" | "durationSeconds" | "frameAssetIds" | "shotPrompt"
  >;
  /** The shot after this one in film order (null: this is the last shot). */
  next: Pick<Storyboard, "frameImageUrl"> | null;
  /** The assets this shot references (others are ignored). */
  assets: Pick<Asset, "id" | "originalUrl">[];
  settings: ProjectSettings;
  model: string;
  /** The motion prompt asked for; the storyboard's own when absent. */
  shotPrompt?: string;
  /** Seconds of the shot's narration, when known before the video is made. */
  speechSeconds?: number | null;
}

/**
 * A shot is at least as long as its speech: the length asked for, unless the speech and its
 * tail need more, then the shortest length the model makes that holds them (the longest it
 * makes when none does: the final cut then holds the last frame). The change is a mapping.
 */
function lengthForSpeech(
  requested: number,
  allowed: number[],
  speech: number | null | undefined,
  model: string,
): { seconds: number; mapped?: VideoMapping } {
  const needed = speech ? speech + SPEECH_TAIL_SECONDS : 0;
  if (needed <= requested) return { seconds: requested };
  const sorted = [...allowed].sort((a, b) => a - b);
  const seconds = sorted.find((d) => d >= needed) ?? (sorted.at(-1) as number);
  if (seconds <= requested) return { seconds: requested };
  return {
    seconds,
    mapped: {
      field: "duration_seconds",
      requested,
      used: seconds,
      reason: `the narration lasts ${speech} s (+${SPEECH_TAIL_SECONDS} s): ${seconds} s is the shortest of ${model}'s ${sorted.join(", ")} s that holds it${seconds < needed ? " (none does: the final cut holds the last frame)" : ""}`,
    },
  };
}

/** The plan of one shot video from rows already read (the render uses this for every shot). */
export function shotVideoPlanOf(input: ShotPlanInput): ShotVideoPlan {
  const { board, settings, model } = input;
  const caps = capabilitiesOf(model);
  const frame = board.frameImageUrl;
  const chain = settings.continuity === "chain" && input.next !== null;
  let last: { url: string; source: "storyboard" | "chain" } | null = board.lastFrameUrl
    ? { url: board.lastFrameUrl, source: "storyboard" }
    : null;
  // An empty last frame under chain means "the next shot's first frame", when the model can end
  // on one; otherwise the render takes this shot's real last frame for the next shot instead.
  if (!last && chain && caps.last_frame && frame && input.next?.frameImageUrl) {
    last = { url: input.next.frameImageUrl, source: "chain" };
  }
  let references: Pick<Asset, "id" | "originalUrl">[] = [];
  if (!frame) {
    references = board.frameAssetIds
      .map((id) => input.assets.find((a) => a.id === id && a.originalUrl))
      .filter((a) => a !== undefined)
      .slice(0, caps.reference_images);
    if (references.length === 0) {
      const why =
        caps.reference_images > 0
          ? ""
          : `; ${model} cannot make a shot from its assets' images (reference_images)`;
      throw badRequest("frame_missing", `分镜 ${board.id} 还没有首帧图，请先生成首帧图${why}`);
    }
    // A chained last frame cannot go with references; a user's own one is refused below.
    if (last?.source === "chain") last = null;
  }
  const requested = board.durationSeconds ?? settings.shot_seconds;
  const speech = input.speechSeconds ?? null;
  const forSpeech = lengthForSpeech(
    requested,
    references.length && caps.reference_durations ? caps.reference_durations : caps.durations,
    speech,
    model,
  );
  const checked = checkVideoRequest(model, {
    image: frame ?? undefined,
    lastFrame: last?.url,
    referenceImages: references,
    durationSeconds: forSpeech.seconds,
    aspectRatio: settings.aspect_ratio,
    resolution: settings.resolution,
  });
  // One mapping per field: the speech's reason, with what the model made of it.
  const mapped = forSpeech.mapped
    ? [
        { ...forSpeech.mapped, used: checked.durationSeconds },
        ...checked.mapped.filter((m) => m.field !== "duration_seconds"),
      ]
    : checked.mapped;
  const shotPrompt = input.shotPrompt ?? board.shotPrompt;
  return {
    model,
    mode: !frame ? "reference" : last ? "first_last_frame" : "first_frame",
    shot_prompt: shotPrompt,
    prompt: styledPrompt(shotPrompt, settings.style),
    style: settings.style,
    frame_image_url: frame,
    last_frame_url: last?.url ?? null,
    last_frame_source: last?.source ?? null,
    reference_asset_ids: references.map((a) => a.id),
    reference_urls: references.map((a) => a.originalUrl as string),
    duration_seconds: checked.durationSeconds,
    aspect_ratio: checked.aspectRatio,
    resolution: checked.resolution,
    mapped,
    chain_extract: chain && !caps.last_frame,
    speech_seconds: speech,
    hold_seconds: speech ? holdSeconds(checked.durationSeconds, speech) : 0,
  };
}

/**
 * Reads what a shot's plan needs (storyboard, settings, next shot, referenced assets). The model
 * is the one asked for, else the project's `video_model`; one that is unknown or whose provider
 * is not configured is a 400 naming the models that can be used.
 */
export async function planShotVideo(
  storyboardId: number,
  shotPrompt?: string,
  model?: string,
): Promise<ShotVideoPlan & { project_id: number }> {
  const board = await requireLiveStoryboard(storyboardId);
  const d = await db();
  const [settings, [next], referenced, clip] = await Promise.all([
    projectSettings(board.projectId),
    d
      .select({ frameImageUrl: storyboards.frameImageUrl })
      .from(storyboards)
      .where(
        and(eq(storyboards.projectId, board.projectId), gt(storyboards.position, board.position)),
      )
      .orderBy(asc(storyboards.position), asc(storyboards.id))
      .limit(1),
    board.frameAssetIds.length && !board.frameImageUrl
      ? d
          .select({ id: assets.id, originalUrl: assets.originalUrl })
          .from(assets)
          .where(
            and(inArray(assets.id, board.frameAssetIds), eq(assets.projectId, board.projectId)),
          )
      : Promise.resolve([]),
    narrationOf(storyboardId),
  ]);
  const plan = shotVideoPlanOf({
    board,
    next: next ?? null,
    assets: referenced,
    settings,
    model: chooseVideoModel(model ?? settings.video_model).id,
    shotPrompt,
    // Only a film with narration on hears the clip, so only then does it set the length.
    speechSeconds: settings.narration ? clip?.duration_seconds : undefined,
  });
  return { ...plan, project_id: board.projectId };
}

/** A plan stored on a job (older jobs have none: undefined). */
export const storedPlanOf = (input: Record<string, unknown>): ShotVideoPlan | undefined =>
  typeof input.model === "string" && typeof input.duration_seconds === "number"
    ? (input as unknown as ShotVideoPlan)
    : undefined;

/** A capability refusal as thrown by the checks above (for callers that map it to a job error). */
export const isCapabilityRefusal = (error: unknown): error is AppError =>
  error instanceof AppError && error.code === "capability_unsupported";
