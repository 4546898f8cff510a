import { config } from "../config.ts";
import { JobFailure, type Outcome, type StepContext } from "../jobs/outcome.ts";
import { getJob } from "../jobs/store.ts";
import { type Job, type JobError, TERMINAL } from "../jobs/types.ts";
import { log } from "../log.ts";
import { budgetOf } from "./budget.ts";
import { estimateRender } from "./estimate.ts";
import { loadPlan, type RenderPlan } from "./load.ts";
import { makes, type PlanStep, STAGES, type Stage } from "./plan.ts";
import { FINISHED, PHASES, type Phase, submitTask, type Task, tasksOf } from "./tasks.ts";

/**
 * The `render_film` job: a parent that never waits in a loop. Each of its steps reads how its
 * children stand, submits what is ready (all shot videos at once, within the owner's cap), moves
 * to the next phase when one is finished (planned anew from the project as it is then), and
 * re-queues itself to look again. A child that ends wakes it at once (core/jobs/worker.ts); the
 * delayed look is only the fallback.
 */

/** Seconds until a render looks at its children again if none wakes it first. */
export const CHECK_SECONDS = 20;

type Steps = Record<string, { done: number; total: number; failed?: number }>;

interface RenderState {
  only_stale: boolean;
  phase: Phase;
  tasks: Task[];
  steps: Steps;
  /** Shots whose first frame this render redrew (with last frames, their predecessors redo). */
  redrawn: number[];
  /** Children that failed or could not run. */
  failed: { stage: Stage; storyboard_id?: number; code: string; message: string }[];
  /** Plan steps not run (a plan step marked `skip`). */
  skipped: { stage: Stage; note?: string }[];
  /** The current cut, when it was fresh and kept. */
  kept_video_url?: string | null;
}

/** Children whose failure ends the render: without shots or a cut there is no film. */
const CRITICAL: ReadonlySet<Stage> = new Set(["storyboards", "final_cut"]);

export async function runRender(
  job: Job,
  _report: StepContext["report"],
  _step: StepContext,
): Promise<Outcome> {
  const state = (job.render as unknown as RenderState | undefined) ?? (await begin(job));
  await refresh(state);
  await submitReady(job, state);
  while (state.tasks.every((t) => FINISHED.has(t.state))) {
    const next = PHASES[PHASES.indexOf(state.phase) + 1];
    if (!next) {
      const render = state as unknown as Record<string, unknown>;
      const set = { render, stage: state.phase, steps: state.steps };
      return { kind: "done", result: await resultOf(state), set };
    }
    const planned = await loadPlan(job.project_id, {
      onlyStale: state.only_stale,
      redrawnFrames: new Set(state.redrawn),
    });
    await assertBudget(job, planned, next);
    enter(state, next, planned);
    await submitReady(job, state);
  }
  return {
    kind: "later",
    delaySeconds: CHECK_SECONDS,
    progress: progressOf(state.steps),
    set: {
      render: state as unknown as Record<string, unknown>,
      stage: state.phase,
      steps: state.steps,
    },
  };
}

/** The first step: the whole plan sets every stage's total; skipped steps are listed. */
async function begin(job: Job): Promise<RenderState> {
  const onlyStale = job.input.only_stale !== false;
  const planned = await loadPlan(job.project_id, { onlyStale });
  const state: RenderState = {
    only_stale: onlyStale,
    phase: "asset_images",
    tasks: [],
    steps: {},
    redrawn: [],
    failed: [],
    skipped: planned.plan
      .filter((s) => s.action === "skip")
      .map((s) => ({ stage: s.stage, note: s.note })),
  };
  for (const stage of STAGES) {
    if (planned.plan.some((s) => s.stage === stage)) {
      state.steps[stage] = { done: 0, total: madeIn(planned.plan, stage) };
    }
  }
  enter(state, "asset_images", planned);
  return state;
}

/** What a stage makes for known shots (steps for shots not made yet are counted once they are). */
const madeIn = (plan: PlanStep[], stage: Stage) =>
  plan.filter(
    (s) =>
      s.stage === stage &&
      makes(s) &&
      (s.storyboard_id !== undefined ||
        (stage !== "frames" && stage !== "videos" && stage !== "narration")),
  ).length;

/** Starts a phase with the tasks of a plan made now, and sets the totals it knows better. */
function enter(state: RenderState, phase: Phase, planned: RenderPlan) {
  state.phase = phase;
  state.tasks = tasksOf(phase, planned);
  const { plan } = planned;
  if (phase === "videos") {
    // Chained frames run in this phase, after the frames drawn in the frames phase.
    const frames = state.steps.frames ?? { done: 0, total: 0 };
    const chained = state.tasks.filter((t) => t.stage === "frames").length;
    state.steps.frames = { ...frames, total: frames.done + chained };
    state.steps.videos = { done: 0, total: madeIn(plan, "videos") };
  } else if (phase !== "asset_images") {
    state.steps[phase] = { done: 0, total: madeIn(plan, phase) };
  }
  if (phase === "final_cut" && state.tasks.length === 0) {
    state.kept_video_url = planned.full.project.videoUrl;
  }
  for (const task of state.tasks) if (task.state === "skipped") count(state, task, true);
}

/** Reads each running child; a finished one counts, a failed critical one ends the render. */
async function refresh(state: RenderState): Promise<void> {
  const running = state.tasks.filter((t) => t.job_id && !FINISHED.has(t.state));
  const jobs = await Promise.all(running.map((t) => getJob(t.job_id as string)));
  for (const [i, task] of running.entries()) {
    const child = jobs[i];
    if (!child || !TERMINAL.has(child.status)) continue;
    task.state = child.status;
    if (child.status === "succeeded") {
      if (task.stage === "frames" && task.storyboard_id) state.redrawn.push(task.storyboard_id);
      count(state, task, false);
      continue;
    }
    task.error = child.error ?? { code: "canceled", message: "The step was canceled" };
    count(state, task, true);
    if (CRITICAL.has(task.stage)) throw new JobFailure(task.error as JobError);
  }
}

function count(state: RenderState, task: Task, failed: boolean) {
  const steps = state.steps[task.stage] ?? { done: 0, total: 1 };
  state.steps[task.stage] = steps;
  // One batch job draws every missing asset image.
  if (task.stage === "asset_images") steps.done = steps.total;
  else steps.done++;
  if (!failed) return;
  steps.failed = (steps.failed ?? 0) + 1;
  state.failed.push({
    stage: task.stage,
    ...(task.storyboard_id ? { storyboard_id: task.storyboard_id } : {}),
    code: task.error?.code ?? "failed",
    message: task.error?.message ?? "",
  });
}

/** Submits each pending task whose predecessor succeeded; if it did not, the task is skipped. */
async function submitReady(job: Job, state: RenderState) {
  const byKey = new Map(state.tasks.map((t) => [t.key, t]));
  for (const task of state.tasks) {
    if (task.state !== "pending") continue;
    const before = task.after ? byKey.get(task.after) : undefined;
    if (before && before.state !== "succeeded") {
      if (!FINISHED.has(before.state)) continue;
      task.state = "skipped";
      task.error = { code: "previous_step_failed", message: `${before.key} did not succeed` };
      count(state, task, true);
      continue;
    }
    const child = await submitTask(job, task);
    // submitTask skips a shot video whose frame is missing.
    if ((task.state as Task["state"]) === "skipped") {
      count(state, task, true);
      continue;
    }
    // The owner's video cap is full: the rest wait here, not refused, until a slot frees.
    if (!child) break;
    task.job_id = child.job_id;
    // A child that already ended (a redelivered step found it) is read at the next look.
    task.state = TERMINAL.has(child.status) ? "running" : child.status;
  }
}

/** Past the first phase, what is left must still fit the owner's budget before it is paid for. */
async function assertBudget(job: Job, planned: RenderPlan, phase: Phase) {
  if (!config().OWNER_BUDGET_USD) return;
  const from = STAGES.indexOf(phase);
  const rest = planned.plan.filter((s) => STAGES.indexOf(s.stage) >= from);
  const { usd } = estimateRender(rest, planned.prices);
  if (usd === 0) return;
  const budget = await budgetOf(job.owner ?? "local");
  if (budget && usd > budget.remaining_usd) {
    throw new JobFailure({
      code: "budget_exceeded",
      message: `The rest of the render is estimated at $${usd.toFixed(2)}, more than the $${budget.remaining_usd.toFixed(2)} left of the budget; stopped before ${phase}`,
    });
  }
}

const progressOf = (steps: Steps) => {
  const all = Object.values(steps);
  const total = all.reduce((n, s) => n + s.total, 0);
  const done = all.reduce((n, s) => n + s.done, 0);
  return total ? Math.min(99, Math.round((99 * done) / total)) : 0;
};

/** The final cut's result (or the kept cut), plus what the render could not do. */
async function resultOf(state: RenderState): Promise<Record<string, unknown>> {
  const cut = state.tasks.find((t) => t.key === "final_cut");
  const child = cut?.job_id ? await getJob(cut.job_id) : undefined;
  log.info("render finished", { failed: state.failed.length });
  return {
    ...(child?.result ?? { video_url: state.kept_video_url ?? null, kept: true }),
    steps: state.steps,
    failed: state.failed,
    skipped: state.skipped,
  };
}
