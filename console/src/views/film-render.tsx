import type { StudioClient } from "@storyboard-studio/client";
import { useEffect, useState } from "preact/hooks";
import { call, isFinished, type Job, type Schemas } from "../api.ts";
import { useFollowedJob } from "../jobs.ts";
import { useAction } from "../ui.tsx";

const STAGE_WORDS: Record<string, string> = {
  asset_images: "asset images",
  storyboards: "storyboards",
  frames: "frames",
  videos: "shot videos",
  narration: "narration",
  final_cut: "final cut",
};
const stageName = (stage: string) => STAGE_WORDS[stage] ?? stage.replace(/_/g, " ");

/** "Stage: shot videos · frames 2/2 · shot videos 1/3 (1 failed)". */
export function renderStatus(job: Job): string {
  // Stages with nothing to do (a total of 0) say nothing worth reading.
  const steps = Object.entries(job.steps ?? {})
    .filter(([, s]) => s.total > 0 || (s.failed ?? 0) > 0)
    .map(
      ([stage, s]) =>
        `${stageName(stage)} ${s.done}/${s.total}${s.failed ? ` (${s.failed} failed)` : ""}`,
    )
    .join(" · ");
  const head =
    job.status === "queued"
      ? "Queued"
      : job.status === "running"
        ? `Stage: ${job.stage ? stageName(job.stage) : "planning"}`
        : job.status === "succeeded"
          ? "Finished"
          : job.status === "canceled"
            ? "Canceled"
            : "Failed";
  return [head, steps].filter(Boolean).join(" · ");
}

/** Changes when a running render moves on a stage or finishes (or fails) a step; else the same. */
export function renderStepsKey(job: Job | null): string {
  if (!job || isFinished(job)) return "";
  const counts = Object.entries(job.steps ?? {}).map(
    ([stage, s]) => `${stage}:${s.done}/${s.failed ?? 0}`,
  );
  return [job.stage ?? "", ...counts].join(" ");
}

export interface RenderPanelProps {
  api: StudioClient;
  projectId: number;
  /** A render still running when the view opened. */
  running: Job | undefined;
  onEnd: (job: Job) => void;
  /** The render moved on (see renderStepsKey): what it made so far can be read again. */
  onSteps?: (key: string) => void;
}

/**
 * One-click render: every missing or stale step up to the final cut, as one job whose stage and
 * steps show live. An estimate (a dry run) says what it would make and cost before anything paid.
 */
export function RenderPanel(props: RenderPanelProps) {
  const { api, projectId } = props;
  const render = useFollowedJob(api, props.onEnd);
  const [estimate, setEstimate] = useState<string | null>(null);
  const estimating = useAction();
  const path = { params: { path: { project_id: projectId } } };
  const job = render.job;

  useEffect(() => {
    if (props.running && !render.job) render.resume(props.running);
  }, [props.running?.job_id]);

  // Progress polls often; only a new stage or step count is worth a read of the shots.
  const stepsKey = renderStepsKey(job);
  useEffect(() => {
    if (stepsKey) props.onSteps?.(stepsKey);
  }, [stepsKey]);

  const start = () => {
    setEstimate(null);
    return render.start(() =>
      call(api.POST("/api/v1/projects/{project_id}/render", { ...path, body: {} })),
    );
  };

  const dryRun = () =>
    estimating.run("Estimating the render", async () => {
      const reply = await call(
        api.POST("/api/v1/projects/{project_id}/render", { ...path, body: { dry_run: true } }),
      );
      const plan = reply as Schemas["RenderPlan"];
      const todo = plan.plan.filter((s) => s.action === "generate" || s.action === "regenerate");
      const usd = plan.estimate.usd.toFixed(2);
      setEstimate(
        todo.length === 0
          ? "Everything is up to date: a render would make nothing new."
          : `A render would make ${todo.length} step${todo.length === 1 ? "" : "s"} ` +
              `(${plan.estimate.paid_calls} paid call${plan.estimate.paid_calls === 1 ? "" : "s"}, about $${usd}).`,
      );
    });

  const progress = job?.status === "succeeded" ? 100 : (job?.progress ?? 0);
  return (
    <div class="render-panel">
      <div class="film-row">
        <button type="button" class="primary" onClick={start} disabled={render.running}>
          Render film
        </button>
        <button type="button" onClick={dryRun} disabled={render.running || !!estimating.busy}>
          Estimate render
        </button>
        {job && !isFinished(job) && (
          <button type="button" onClick={render.cancel} disabled={job?.cancel_requested}>
            Cancel render
          </button>
        )}
      </div>
      {estimate && <p class="film-hint">{estimate}</p>}
      <div role="alert" class="alert">
        {estimating.error ?? render.error}
      </div>
      {job && (
        <div class="render-progress">
          <div
            role="progressbar"
            aria-label="Render progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={progress}
            aria-valuetext={`${progress}%`}
            class="bar"
          >
            <div class="bar-fill" style={{ width: `${progress}%` }} />
          </div>
          <p aria-live="polite" class="film-status">
            {renderStatus(job)}
            {job.cancel_requested && job.status === "running"
              ? " · stopping after the running step"
              : ""}
          </p>
          {job.last_error && job.status === "running" && (
            <p class="film-hint">
              Retrying after: {job.last_error.message} (attempt {job.last_error.attempt})
            </p>
          )}
        </div>
      )}
    </div>
  );
}
