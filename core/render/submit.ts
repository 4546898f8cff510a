import { currentOwner, LOCAL_OWNER } from "../auth.ts";
import { submitRenderJob } from "../jobs/service.ts";
import { assertAffordable, type Budget, budgetOf } from "./budget.ts";
import type { Estimate } from "./estimate.ts";
import { loadPlan } from "./load.ts";
import type { PlanStep } from "./plan.ts";

export interface RenderRequest {
  /** Only what is missing or stale (default); false: every frame, video and the cut again. */
  onlyStale: boolean;
}

export interface DryRun {
  plan: PlanStep[];
  estimate: Estimate;
  video_model: string;
  budget: Budget | null;
}

/**
 * What a render would do and cost, starting nothing: one read of the project (and one of the
 * owner's spend when there is a budget). Capability refusals are the same 400 as the render's.
 */
export async function dryRunRender(projectId: number, request: RenderRequest): Promise<DryRun> {
  const [planned, budget] = await Promise.all([
    loadPlan(projectId, request),
    budgetOf(currentOwner() ?? LOCAL_OWNER),
  ]);
  return {
    plan: planned.plan,
    estimate: planned.estimate,
    video_model: planned.model,
    budget: budget ?? null,
  };
}

/**
 * Starts the render as a `render_film` job after planning and pricing it: a plan the model cannot
 * do is a 400, and an estimate past what is left of the owner's budget a 402, both before any
 * paid call. The same request while its render runs is that render (a double click).
 */
export async function submitRender(
  projectId: number,
  request: RenderRequest,
  idempotencyKey?: string,
  callbackUrl?: string,
) {
  const [planned, budget] = await Promise.all([
    loadPlan(projectId, request),
    budgetOf(currentOwner() ?? LOCAL_OWNER),
  ]);
  assertAffordable(budget, planned.estimate.usd, "This render");
  return submitRenderJob(projectId, { only_stale: request.onlyStale }, idempotencyKey, callbackUrl);
}
