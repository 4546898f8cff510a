import { AppError } from "../errors.ts";
import { submitChild, submitChildVideo } from "../jobs/service.ts";
import type { Job, JobError, JobStatus, JobType } from "../jobs/types.ts";
import { planShotVideo } from "../shot-video-plan.ts";
import { type RenderPlan, videoModelOf } from "./load.ts";
import { makes, type PlanStep, STAGES, type Stage, scriptOf, stageWork } from "./plan.ts";

/** The render runs in the plan's stages, in its order: one list, so the two cannot drift. */
export const PHASES = STAGES;
export type Phase = Stage;

/** One child job of a render: what to submit, what it waits for, and how it ended. */
export interface Task {
  key: string;
  /** The plan stage it counts towards (a chained frame runs in the videos phase). */
  stage: Stage;
  type: JobType;
  storyboard_id?: number;
  /** A chained frame: the shot whose video's last frame it is. */
  from_storyboard_id?: number;
  /** The key of a task that must succeed first (chain continuity serialises shots). */
  after?: string;
  /** The child's input, fixed when the phase is planned. */
  input?: Record<string, unknown>;
  job_id?: string;
  state: "pending" | "skipped" | JobStatus;
  error?: JobError;
}

export const FINISHED: ReadonlySet<Task["state"]> = new Set([
  "succeeded",
  "failed",
  "canceled",
  "skipped",
]);

const frameKey = (id: number) => `frames:${id}`;
const videoKey = (id: number) => `videos:${id}`;

/** The children of one phase, from a plan made at the start of that phase. */
export function tasksOf(phase: Phase, planned: RenderPlan): Task[] {
  const { plan, full } = planned;
  const work = (stage: Stage) => stageWork(plan, stage);
  switch (phase) {
    case "asset_images":
      return work("asset_images").length
        ? [{ key: "asset_images", stage: phase, type: "generate_asset_images", state: "pending" }]
        : [];
    case "storyboards":
      return work("storyboards").length
        ? [
            {
              key: "storyboards",
              stage: phase,
              type: "generate_storyboards",
              input: { script: scriptOf(full.project) ?? "" },
              state: "pending",
            },
          ]
        : [];
    case "frames":
      return work("frames")
        .filter((s) => s.storyboard_id !== undefined && !s.from_storyboard_id)
        .map((s) => frameTask(s));
    case "narration":
      // One child per shot; a shot's speech is known before its video is planned.
      return work("narration")
        .filter((s) => s.storyboard_id !== undefined)
        .map((s) => ({
          key: `narration:${s.storyboard_id}`,
          stage: "narration",
          type: "generate_narration",
          storyboard_id: s.storyboard_id,
          state: "pending",
        }));
    case "videos": {
      const chained = work("frames").filter((s) => s.from_storyboard_id);
      const videos = work("videos");
      const madeVideo = new Set(videos.map((s) => s.storyboard_id));
      const tasks: Task[] = chained.map((s) => ({
        ...frameTask(s),
        from_storyboard_id: s.from_storyboard_id,
        // The previous shot's new video first; an existing one is used as it is.
        ...(madeVideo.has(s.from_storyboard_id)
          ? { after: videoKey(s.from_storyboard_id as number) }
          : {}),
      }));
      const chainedIds = new Set(chained.map((s) => s.storyboard_id));
      for (const step of videos) {
        const id = step.storyboard_id as number;
        tasks.push({
          key: videoKey(id),
          stage: "videos",
          type: "generate_video",
          storyboard_id: id,
          state: "pending",
          ...(chainedIds.has(id) ? { after: frameKey(id) } : {}),
        });
      }
      return tasks;
    }
    case "final_cut":
      return plan.some((s) => s.stage === "final_cut" && makes(s))
        ? [{ key: "final_cut", stage: phase, type: "compose_video", state: "pending" }]
        : [];
  }
}

const frameTask = (step: PlanStep): Task => ({
  key: frameKey(step.storyboard_id as number),
  stage: "frames",
  type: "generate_frame",
  storyboard_id: step.storyboard_id,
  state: "pending",
});

/**
 * Submits a task as a child job. Returns the job, or undefined for a shot video while the
 * owner's video cap is full (it stays pending; the render submits it once a slot frees).
 */
export async function submitTask(parent: Job, task: Task): Promise<Job | undefined> {
  if (task.type === "generate_video") {
    // Planned now, as a single shot video is: its frame (or a chained one) may be moments old.
    let plan: Awaited<ReturnType<typeof planShotVideo>>;
    try {
      // The model the render was planned and priced with (renders from before: the route's).
      const model = parent.input.video_model;
      plan = await planShotVideo(
        task.storyboard_id as number,
        undefined,
        typeof model === "string" ? model : videoModelOf(),
      );
    } catch (error) {
      // No frame and nothing to make the shot from (its frame failed): the cut goes on without it.
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      task.state = "skipped";
      task.error = { code: error.code, message: error.message };
      return undefined;
    }
    const { project_id: _project, ...input } = plan;
    // A render retries a shot refused by the safety filter once with a rewritten prompt.
    return submitChildVideo(parent, task.key, task.storyboard_id as number, {
      ...input,
      safety_rewrite: true,
    });
  }
  const input =
    task.input ?? (task.from_storyboard_id ? { from_storyboard_id: task.from_storyboard_id } : {});
  return (await submitChild(parent, task.type, task.key, input, task.storyboard_id)).job;
}
