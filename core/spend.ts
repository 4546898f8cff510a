import { eq, sql } from "drizzle-orm";
import { currentOwner } from "./auth.ts";
import { config } from "./config.ts";
import { db } from "./db/client.ts";
import { projects, spend } from "./db/schema.ts";
import { AppError } from "./errors.ts";
import {
  costOf,
  prices,
  type SpendKind,
  type SpendUnits,
  videoPerSecond,
} from "./models/pricing.ts";
import { videoModelRow } from "./models/registry.ts";
import type { Generated } from "./providers/types.ts";

// The prices live with the model registry (one table for GET /models, the ledger and estimates).
export {
  AUDIO_TOKENS_PER_SECOND,
  costOf,
  DEFAULT_PRICES,
  type Prices,
  prices,
  type SpendKind,
  type SpendUnits,
  videoPerSecond,
} from "./models/pricing.ts";

async function ownerOf(projectId: number): Promise<string> {
  const owner = currentOwner();
  if (owner) return owner;
  const [row] = await (await db())
    .select({ owner: projects.owner })
    .from(projects)
    .where(eq(projects.id, projectId));
  return row?.owner ?? "unknown";
}

/** Records one paid call against the project and its owner. */
export async function recordSpend(
  projectId: number,
  kind: SpendKind,
  generated: Pick<Generated<unknown>, "provider" | "model" | "usage">,
  extra: SpendUnits = {},
): Promise<void> {
  const units: SpendUnits = { ...generated.usage, ...extra };
  await (await db()).insert(spend).values({
    owner: await ownerOf(projectId),
    projectId,
    kind,
    provider: generated.provider,
    model: generated.model,
    units,
    costUsd: costOf(kind, generated.provider, units, generated.model),
  });
}

/** One paid step of a background job: the row is keyed by (job, step), so it exists once. */
export interface JobSpend {
  jobId: string;
  /** The paid step, e.g. `video_start` or `asset_image:12`. */
  step: string;
  projectId: number;
  kind: SpendKind;
  provider: string;
  model: string;
  units: SpendUnits;
}

/**
 * Records a job's paid step as soon as the provider accepted it, at its estimated cost. A second
 * delivery of the same step finds the row and adds nothing.
 */
export async function recordJobSpendEstimate(entry: JobSpend): Promise<void> {
  await (await db())
    .insert(spend)
    .values(await jobSpendRow(entry, false))
    .onConflictDoNothing({ target: [spend.jobId, spend.step] });
}

/**
 * Settles a job's paid step with its final units once the result is in. Creates the row if the
 * estimate was never written (a worker that stopped in between), never a second one.
 */
export async function settleJobSpend(entry: JobSpend): Promise<void> {
  const row = await jobSpendRow(entry, true);
  await (await db())
    .insert(spend)
    .values(row)
    .onConflictDoUpdate({
      target: [spend.jobId, spend.step],
      set: { units: row.units, costUsd: row.costUsd, settled: true },
    });
}

async function jobSpendRow(entry: JobSpend, settled: boolean) {
  return {
    owner: await ownerOf(entry.projectId),
    projectId: entry.projectId,
    kind: entry.kind,
    provider: entry.provider,
    model: entry.model,
    units: entry.units,
    costUsd: costOf(entry.kind, entry.provider, entry.units, entry.model),
    jobId: entry.jobId,
    step: entry.step,
    settled,
  };
}

/** The ledger rows of one job (tests and support). */
export async function jobSpend(jobId: string) {
  return (await db()).select().from(spend).where(eq(spend.jobId, jobId));
}

export async function projectCosts(projectId: number) {
  const rows = await (await db())
    .select({
      kind: spend.kind,
      calls: sql<number>`count(*)::int`,
      usd: sql<number>`coalesce(sum(${spend.costUsd}), 0)::float8`,
    })
    .from(spend)
    .where(eq(spend.projectId, projectId))
    .groupBy(spend.kind);
  const byKind = Object.fromEntries(
    rows.map((r) => [r.kind, { calls: Number(r.calls), usd: Number(r.usd) }]),
  );
  const total = rows.reduce((sum, r) => sum + Number(r.usd), 0);
  return {
    project_id: projectId,
    total_usd: Number(total.toFixed(6)),
    by_kind: byKind,
    prices: prices(),
  };
}

/** Refuses new paid work once the owner's recorded spend reaches OWNER_BUDGET_USD. */
export async function assertWithinBudget(owner: string): Promise<void> {
  const budget = config().OWNER_BUDGET_USD;
  if (!budget) return;
  const [row] = await (await db())
    .select({ usd: sql<number>`coalesce(sum(${spend.costUsd}), 0)::float8` })
    .from(spend)
    .where(eq(spend.owner, owner));
  const spent = Number(row?.usd ?? 0);
  if (spent >= budget) {
    throw new AppError(
      402,
      "budget_exceeded",
      `Budget of $${budget} reached ($${spent.toFixed(2)} spent); new paid work is refused`,
    );
  }
}

/**
 * What one shot video costs: the seconds really asked for (its plan: the storyboard's own length,
 * else the project's, mapped to what the model makes) at the plan's model's price (the registry
 * row the ledger charges), and what the plan changed to get there.
 */
export function estimateShotVideo(plan: {
  duration_seconds: number;
  model: string;
  mapped: unknown[];
}) {
  const seconds = plan.duration_seconds;
  const offline = videoModelRow(config(), prices(), plan.model)?.provider === "offline";
  const perSecond = offline ? 0 : videoPerSecond(plan.model);
  return {
    estimate_usd: Number((seconds * perSecond).toFixed(4)),
    basis: {
      seconds,
      video_per_second: perSecond,
      offline,
      model: plan.model,
      mapped: plan.mapped,
    },
  };
}
