import { badRequest } from "../errors.ts";
import type { VideoMapping } from "../providers/video/capabilities.ts";
import type { ProjectSettings } from "../settings.ts";

/**
 * The one-click render's plan, computed from staleness alone (a pure function: the caller reads
 * the project once). Stages run in this order; each lists what it does to every asset or shot.
 * Narration comes before the videos: a shot's speech decides how long its video is made.
 */
export const STAGES = [
  "asset_images",
  "storyboards",
  "frames",
  "narration",
  "videos",
  "final_cut",
] as const;
export type Stage = (typeof STAGES)[number];

/** generate: missing · regenerate: stale, forced or its input changes · keep: fresh · skip: not done. */
export type Action = "generate" | "regenerate" | "keep" | "skip";

export interface PlanStep {
  stage: Stage;
  storyboard_id?: number;
  asset_id?: number;
  action: Action;
  /** Why it is (re)made: missing, stale, forced (only_stale: false), or the input that changes. */
  reason?: string;
  note?: string;
  /** Chain continuity without last-frame support: this frame is the real last frame of that
   * shot's video, so it waits for it (the shots are serialised). */
  from_storyboard_id?: number;
  /** A shot video's length, shape or resolution changed to one the model offers. */
  mapped?: VideoMapping[];
}

export interface PlanProject {
  script: string | null;
  fullScript: string | null;
  videoUrl: string | null;
  videoStale: boolean;
}

export interface PlanAsset {
  id: number;
  originalUrl: string | null;
}

export interface PlanBoard {
  id: number;
  frameImageUrl: string | null;
  frameStale: boolean;
  shotVideoUrl: string | null;
  videoStale: boolean;
  frameAssetIds: number[];
  /** The shot has narration or dialogue to speak. */
  speaks: boolean;
  /** Its current narration clip, and whether its words or voices changed since. */
  narrationVersionId: number | null;
  narrationStale: boolean;
}

export interface PlanInput {
  project: PlanProject;
  settings: Pick<ProjectSettings, "continuity" | "narration">;
  assets: PlanAsset[];
  /** In film order. */
  storyboards: PlanBoard[];
  /** true (default): only what is missing or stale; false: every frame, video and the cut again. */
  onlyStale: boolean;
  /** Whether the project's video model takes a last frame (capability table). */
  lastFrame: boolean;
  /** Shots whose first frame this render already redrew (a render re-plans at each stage):
   * with last frames, the shot before each of them ends on a new frame. */
  redrawnFrames?: ReadonlySet<number>;
}

const made = (step: PlanStep | undefined) =>
  step?.action === "generate" || step?.action === "regenerate";

/** The script the storyboards are planned from: the full script, else the idea. */
export const scriptOf = (project: PlanProject) =>
  project.fullScript?.trim() || project.script?.trim();

/** Frames taken from the previous shot's video: chain continuity on a model without last frames. */
export const serialChain = (input: Pick<PlanInput, "settings" | "lastFrame">) =>
  input.settings.continuity === "chain" && !input.lastFrame;

export function planRender(input: PlanInput): PlanStep[] {
  const { assets, storyboards: boards, onlyStale } = input;
  const steps: PlanStep[] = assets.map((a) =>
    a.originalUrl
      ? { stage: "asset_images", asset_id: a.id, action: "keep" }
      : { stage: "asset_images", asset_id: a.id, action: "generate", reason: "missing" },
  );
  if (boards.length === 0) return [...steps, ...fromNewStoryboards(input)];
  steps.push({ stage: "storyboards", action: "keep", note: `${boards.length} shots` });

  const drawnAssets = new Set(assets.filter((a) => !a.originalUrl).map((a) => a.id));
  const serial = serialChain(input);
  const frames: PlanStep[] = [];
  const videos: PlanStep[] = [];
  const redo = (stage: Stage, board: PlanBoard, reason: string, extra: Partial<PlanStep> = {}) =>
    ({ stage, storyboard_id: board.id, action: "regenerate", reason, ...extra }) as PlanStep;

  // Frames first for every shot, except chained ones, which follow their predecessor's video.
  boards.forEach((board, i) => {
    const previous = boards[i - 1];
    if (serial && previous) {
      frames.push(chainedFrame(board, previous, () => made(videos[i - 1]), onlyStale));
    } else if (!board.frameImageUrl) {
      frames.push({
        stage: "frames",
        storyboard_id: board.id,
        action: "generate",
        reason: "missing",
      });
    } else if (!onlyStale) frames.push(redo("frames", board, "forced"));
    else if (board.frameStale) frames.push(redo("frames", board, "stale"));
    else if (board.frameAssetIds.some((id) => drawnAssets.has(id))) {
      frames.push(redo("frames", board, "asset_image"));
    } else frames.push({ stage: "frames", storyboard_id: board.id, action: "keep" });
    // A chained frame depends on the previous video, planned in the same pass.
    videos.push(videoStep(input, i, frames));
  });
  // Chain with last frames: a shot ends on the next shot's first frame, so a new one redoes it.
  if (input.settings.continuity === "chain" && input.lastFrame) {
    boards.forEach((board, i) => {
      const step = videos[i] as PlanStep;
      const next = boards[i + 1];
      const nextChanges = made(frames[i + 1]) || (next && input.redrawnFrames?.has(next.id));
      if (!made(step) && nextChanges) {
        videos[i] = redo("videos", board, "last_frame", {
          note: `ends on shot ${i + 2}'s new first frame`,
        });
      }
    });
  }
  const narration = narrationSteps(input);
  steps.push(...frames, ...narration, ...videos);
  const cutInputsChange = videos.some(made) || narration.some(made);
  const videoUrl = input.project.videoUrl;
  steps.push(
    !videoUrl
      ? { stage: "final_cut", action: "generate", reason: "missing" }
      : !onlyStale
        ? { stage: "final_cut", action: "regenerate", reason: "forced" }
        : cutInputsChange
          ? {
              stage: "final_cut",
              action: "regenerate",
              reason: videos.some(made) ? "shot_videos" : "narration",
            }
          : input.project.videoStale
            ? { stage: "final_cut", action: "regenerate", reason: "stale" }
            : { stage: "final_cut", action: "keep" },
  );
  return steps;
}

function chainedFrame(
  board: PlanBoard,
  previous: PlanBoard,
  previousVideoMade: () => boolean,
  onlyStale: boolean,
): PlanStep {
  const from = {
    from_storyboard_id: previous.id,
    note: `chain: the last frame of shot ${previous.id}'s video (waits for it; serialised)`,
  };
  const base = { stage: "frames" as const, storyboard_id: board.id };
  if (!board.frameImageUrl) return { ...base, action: "generate", reason: "missing", ...from };
  if (!onlyStale) return { ...base, action: "regenerate", reason: "forced", ...from };
  if (previousVideoMade())
    return { ...base, action: "regenerate", reason: "previous_video", ...from };
  if (board.frameStale) return { ...base, action: "regenerate", reason: "stale", ...from };
  return { ...base, action: "keep" };
}

function videoStep(input: PlanInput, i: number, frames: PlanStep[]): PlanStep {
  const board = input.storyboards[i] as PlanBoard;
  const frame = frames[i] as PlanStep;
  const base = { stage: "videos" as const, storyboard_id: board.id };
  const after = frame.from_storyboard_id
    ? { note: `serialised: starts from shot ${frame.from_storyboard_id}'s real last frame` }
    : {};
  if (!board.shotVideoUrl) return { ...base, action: "generate", reason: "missing", ...after };
  if (!input.onlyStale) return { ...base, action: "regenerate", reason: "forced", ...after };
  if (made(frame)) return { ...base, action: "regenerate", reason: "frame", ...after };
  if (board.videoStale) return { ...base, action: "regenerate", reason: "stale", ...after };
  return { ...base, action: "keep" };
}

/**
 * With narration on, each shot that has words to say gets its clip spoken when it has none, when
 * its words or a speaker's voice changed (stale), or always with `only_stale: false`. Shots with
 * nothing to say are left out.
 */
function narrationSteps(input: PlanInput): PlanStep[] {
  if (!input.settings.narration) return [];
  return input.storyboards
    .filter((b) => b.speaks)
    .map((b): PlanStep => {
      const base = { stage: "narration" as const, storyboard_id: b.id };
      if (!b.narrationVersionId) return { ...base, action: "generate", reason: "missing" };
      if (!input.onlyStale) return { ...base, action: "regenerate", reason: "forced" };
      if (b.narrationStale) return { ...base, action: "regenerate", reason: "stale" };
      return { ...base, action: "keep" };
    });
}

/** A project without shots: the storyboards come from its script, then everything after them. */
function fromNewStoryboards(input: PlanInput): PlanStep[] {
  if (!scriptOf(input.project)) {
    throw badRequest(
      "nothing_to_render",
      "The project has no storyboards and no script: generate a script or add shots first",
    );
  }
  if (input.assets.length === 0) {
    throw badRequest("no_assets", "The project has no assets to plan storyboards from");
  }
  const each = "every shot the storyboards stage makes";
  return [
    {
      stage: "storyboards",
      action: "generate",
      reason: "missing",
      note: "from the project's script (LLM)",
    },
    {
      stage: "frames",
      action: "generate",
      reason: "missing",
      note: serialChain(input)
        ? `${each}; after the first, each from the previous shot's last frame`
        : each,
    },
    ...(input.settings.narration
      ? [
          {
            stage: "narration" as const,
            action: "generate" as const,
            reason: "missing",
            note: "every new shot with narration or dialogue (priced once the shots exist)",
          },
        ]
      : []),
    { stage: "videos", action: "generate", reason: "missing", note: each },
    { stage: "final_cut", action: "generate", reason: "missing" },
  ];
}

/** Whether a step makes something (as opposed to keeping or skipping it). */
export const makes = made;

/** The steps of one stage that make something. */
export const stageWork = (plan: PlanStep[], stage: Stage) =>
  plan.filter((s) => s.stage === stage && made(s));
