import { eq, sql } from "drizzle-orm";
import { currentOwner } from "./auth.ts";
import { config } from "./config.ts";
import { db } from "./db/client.ts";
import { projects, spend } from "./db/schema.ts";
import { AppError } from "./errors.ts";
import type { Generated } from "./providers/types.ts";

export type SpendKind = "llm" | "image" | "vision" | "video" | "speech";

/**
 * Gemini TTS bills tokens: the text sent, and the audio it returns at 32 tokens per second of
 * audio (Gemini's audio token rate). The reply's usage counts both; without it the seconds do.
 */
export const AUDIO_TOKENS_PER_SECOND = 32;

/** Estimated list prices in USD; override any of them with PRICES_JSON. */
export const DEFAULT_PRICES = {
  llm_input_per_million_tokens: 0.3,
  llm_output_per_million_tokens: 2.5,
  image: 0.039,
  vision_input_per_million_tokens: 0.3,
  video_per_second: 0.4,
  // Gemini Flash TTS, November 2026 (launch prices; text in, audio out).
  speech_input_per_million_tokens: 0.5,
  speech_output_per_million_tokens: 9,
};
export type Prices = typeof DEFAULT_PRICES;

export function prices(): Prices {
  const raw = config().PRICES_JSON;
  return { ...DEFAULT_PRICES, ...(raw ? (JSON.parse(raw) as Partial<Prices>) : {}) };
}

export interface SpendUnits {
  input_tokens?: number;
  output_tokens?: number;
  images?: number;
  seconds?: number;
  /** Characters of text spoken (speech). */
  characters?: number;
}

/** The estimated cost of a call; offline providers cost nothing. */
export function costOf(kind: SpendKind, provider: string, units: SpendUnits): number {
  if (provider === "offline") return 0;
  const p = prices();
  const perMillion = (n = 0, price = 0) => (n / 1_000_000) * price;
  switch (kind) {
    case "llm":
      return (
        perMillion(units.input_tokens, p.llm_input_per_million_tokens) +
        perMillion(units.output_tokens, p.llm_output_per_million_tokens)
      );
    case "vision":
      return perMillion(units.input_tokens, p.vision_input_per_million_tokens);
    case "image":
      return (units.images ?? 1) * p.image;
    case "video":
      return (units.seconds ?? 0) * p.video_per_second;
    case "speech":
      return (
        perMillion(units.input_tokens, p.speech_input_per_million_tokens) +
        perMillion(
          units.output_tokens || (units.seconds ?? 0) * AUDIO_TOKENS_PER_SECOND,
          p.speech_output_per_million_tokens,
        )
      );
  }
}

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
    costUsd: costOf(kind, generated.provider, units),
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
    costUsd: costOf(entry.kind, entry.provider, entry.units),
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
 * else the project's, mapped to what the model makes), and what the plan changed to get there.
 */
export function estimateShotVideo(plan: {
  duration_seconds: number;
  model: string;
  mapped: unknown[];
}) {
  const seconds = plan.duration_seconds;
  const offline = config().offline.video;
  return {
    estimate_usd: offline ? 0 : Number((seconds * prices().video_per_second).toFixed(4)),
    basis: {
      seconds,
      video_per_second: prices().video_per_second,
      offline,
      model: plan.model,
      mapped: plan.mapped,
    },
  };
}
