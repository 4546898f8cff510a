import { config } from "../config.ts";
import { type FullProject, getFullProject } from "../projects.ts";
import { activeVideoModel, capabilitiesOf } from "../providers/video/capabilities.ts";
import { type ProjectSettings, settingsOf } from "../settings.ts";
import { shotVideoPlanOf } from "../shot-video-plan.ts";
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
 * Reads the project once (one statement: project, assets, shots, staleness), plans the render and
 * prices it. Every shot video the plan makes is checked against the model's capabilities first:
 * an input the model cannot take is the capability table's 400, before anything starts; a length,
 * shape or resolution it does not offer is mapped, and the plan says so.
 */
export async function loadPlan(
  projectId: number,
  options: { onlyStale: boolean; redrawnFrames?: ReadonlySet<number> },
): Promise<RenderPlan> {
  const full = await getFullProject(projectId);
  const settings = settingsOf(full.project.settings);
  const model = videoModelOf();
  const caps = capabilitiesOf(model);
  const plan = planRender({
    project: full.project,
    settings,
    assets: full.assets,
    storyboards: full.storyboards,
    onlyStale: options.onlyStale,
    lastFrame: caps.last_frame,
    redrawnFrames: options.redrawnFrames,
  });
  const seconds = checkVideos(plan, full, settings, model);
  const prices: PriceContext = {
    offline: config().offline,
    secondsOf: (id) => seconds.get(id) ?? settings.shot_seconds,
    storyboardPromptChars:
      (scriptOf(full.project)?.length ?? 0) +
      full.assets.reduce((n, a) => n + a.name.length + a.description.length + 40, 0),
  };
  return { full, settings, model, plan, estimate: estimateRender(plan, prices), prices };
}

/**
 * Plans each shot video the render makes exactly as a single one is planned (the same checks,
 * mappings and continuity inputs), with the frames the render will make counted as present.
 * Returns the seconds each will really last.
 */
function checkVideos(
  plan: PlanStep[],
  full: FullProject,
  settings: ProjectSettings,
  model: string,
): Map<number | undefined, number> {
  const seconds = new Map<number | undefined, number>();
  const boards = full.storyboards;
  const framed = new Set(
    plan.filter((s) => s.stage === "frames" && makes(s)).map((s) => s.storyboard_id),
  );
  const frameOf = (b: (typeof boards)[number] | undefined) =>
    b ? (b.frameImageUrl ?? (framed.has(b.id) ? "(made by this render)" : null)) : null;
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
    });
    if (shot.mapped.length) step.mapped = shot.mapped;
    seconds.set(step.storyboard_id, shot.duration_seconds);
  }
  return seconds;
}
