import { config } from "../config.ts";
import { chooseVideoModel } from "../models/choice.ts";
import { type FullProject, getFullProject } from "../projects.ts";
import { activeVideoModel, capabilitiesOf } from "../providers/video/capabilities.ts";
import { type ProjectSettings, settingsOf } from "../settings.ts";
import { shotVideoPlanOf } from "../shot-video-plan.ts";
import { projectNarration } from "../speech/clips.ts";
import { isSpeechOffline } from "../speech/offline.ts";
import type { NarrationClip } from "../speech/types.ts";
import { spokenTextOf } from "../staleness.ts";
import { type Estimate, estimateRender, type PriceContext } from "./estimate.ts";
import { makes, type PlanStep, planRender, scriptOf } from "./plan.ts";

export interface RenderPlan {
  full: FullProject;
  settings: ProjectSettings;
  /** The video model the shots are made with. */
  model: string;
  plan: PlanStep[];
  estimate: Estimate;
  /** What the estimate was priced with, to price part of the plan the same way. */
  prices: PriceContext;
}

/** The model a project's shots are made with: the one the configured video route calls (as
 * for a single shot video, core/shot-video-plan.ts). */
export const videoModelOf = () => activeVideoModel(config());

/**
 * Reads the project once (one statement: project, assets, shots, staleness; one more for the
 * narration clips of a narrated film), plans the render and prices it. Every shot video the plan makes is checked against the model's capabilities first:
 * an input the model cannot take is the capability table's 400, before anything starts; a length,
 * shape or resolution it does not offer is mapped, and the plan says so.
 */
export async function loadPlan(
  projectId: number,
  options: { onlyStale: boolean; redrawnFrames?: ReadonlySet<number> },
): Promise<RenderPlan> {
  const full = await getFullProject(projectId);
  const settings = settingsOf(full.project.settings);
  // The clips are read only when the film is narrated (one more statement then).
  const clips = settings.narration
    ? await projectNarration(projectId)
    : new Map<number, NarrationClip>();
  // The project's video model (the route's when it picked none), refused when unknown or unavailable.
  const model = chooseVideoModel(settings.video_model).id;
  const caps = capabilitiesOf(model);
  const plan = planRender({
    project: full.project,
    settings,
    assets: full.assets,
    storyboards: full.storyboards.map((b) => {
      const { narration, dialogue } = spokenTextOf(b);
      return {
        ...b,
        speaks: Boolean(narration || dialogue.length),
        narrationVersionId: clips.get(b.id)?.version_id ?? null,
        narrationStale: clips.get(b.id)?.stale ?? false,
      };
    }),
    onlyStale: options.onlyStale,
    lastFrame: caps.last_frame,
    redrawnFrames: options.redrawnFrames,
  });
  const seconds = checkVideos(plan, full, settings, model, clips);
  const boardOf = (id?: number) => full.storyboards.find((b) => b.id === id);
  const prices: PriceContext = {
    offline: {
      ...config().offline,
      video: chooseVideoModel(model).provider === "offline",
      speech: isSpeechOffline(config()),
    },
    videoModel: model,
    secondsOf: (id) => seconds.get(id) ?? settings.shot_seconds,
    speechCharsOf: (id) => {
      const board = boardOf(id);
      if (!board) return 0;
      const { narration, dialogue } = spokenTextOf(board);
      return [narration ?? "", ...dialogue.map((l) => l.text)].join("").length;
    },
    storyboardPromptChars:
      (scriptOf(full.project)?.length ?? 0) +
      full.assets.reduce((n, a) => n + a.name.length + a.description.length + 40, 0),
  };
  return { full, settings, model, plan, estimate: estimateRender(plan, prices), prices };
}

/**
 * Plans each shot video the render makes exactly as a single one is planned (the same checks,
 * mappings and continuity inputs), with the frames the render will make counted as present and
 * the speech of each shot's current narration clip. Returns the seconds each will really last.
 * A shot whose narration this render speaks first gets its length when it is submitted.
 */
function checkVideos(
  plan: PlanStep[],
  full: FullProject,
  settings: ProjectSettings,
  model: string,
  clips: Map<number, NarrationClip>,
): Map<number | undefined, number> {
  const seconds = new Map<number | undefined, number>();
  const boards = full.storyboards;
  const framed = new Set(
    plan.filter((s) => s.stage === "frames" && makes(s)).map((s) => s.storyboard_id),
  );
  const frameOf = (b: (typeof boards)[number] | undefined) =>
    b ? (b.frameImageUrl ?? (framed.has(b.id) ? "(made by this render)" : null)) : null;
  const spoken = new Set(
    plan.filter((s) => s.stage === "narration" && makes(s)).map((s) => s.storyboard_id),
  );
  for (const step of plan) {
    if (step.stage !== "videos" || !makes(step)) continue;
    const i = boards.findIndex((b) => b.id === step.storyboard_id);
    const board = boards[i];
    const next = boards[i + 1];
    const shot = shotVideoPlanOf({
      // Shots the storyboards stage will make: a plain shot with a first frame, as they get.
      board: board
        ? { ...board, frameImageUrl: frameOf(board) }
        : {
            id: 0,
            frameImageUrl: "(made by this render)",
            lastFrameUrl: null,
            durationSeconds: null,
            frameAssetIds: [],
            shotPrompt: "",
          },
      next: next ? { frameImageUrl: frameOf(next) } : null,
      assets: full.assets,
      settings,
      model,
      speechSeconds: settings.narration
        ? clips.get(step.storyboard_id as number)?.duration_seconds
        : undefined,
    });
    if (shot.mapped.length) step.mapped = shot.mapped;
    const notes = [step.note];
    if (settings.narration && spoken.has(step.storyboard_id))
      notes.push(
        "its length follows the narration this render speaks first (decided when submitted)",
      );
    if (shot.hold_seconds > 0)
      notes.push(
        `the narration (${shot.speech_seconds} s) outlasts the longest clip ${model} makes: the final cut holds its last frame ${shot.hold_seconds} s`,
      );
    const note = notes.filter(Boolean).join("; ");
    if (note) step.note = note;
    seconds.set(step.storyboard_id, shot.duration_seconds);
  }
  return seconds;
}
