import { eq, sql } from "drizzle-orm";
import { config } from "../config.ts";
import { db } from "../db/client.ts";
import { spend } from "../db/schema.ts";
import { AppError } from "../errors.ts";

export interface Budget {
  limit_usd: number;
  spent_usd: number;
  remaining_usd: number;
}

/** The owner's budget (OWNER_BUDGET_USD) and what is left of it; undefined when there is none. */
export async function budgetOf(owner: string): Promise<Budget | undefined> {
  const limit = config().OWNER_BUDGET_USD;
  if (!limit) return undefined;
  const [row] = await (await db())
    .select({ usd: sql<number>`coalesce(sum(${spend.costUsd}), 0)::float8` })
    .from(spend)
    .where(eq(spend.owner, owner));
  const spent = Number(row?.usd ?? 0);
  return {
    limit_usd: limit,
    spent_usd: Number(spent.toFixed(6)),
    remaining_usd: Number(Math.max(0, limit - spent).toFixed(6)),
  };
}

/** 402 when the work priced at `usd` would go past what is left of the budget. */
export function assertAffordable(budget: Budget | undefined, usd: number, what: string): void {
  if (!budget) return;
  if (usd > budget.remaining_usd) {
    throw new AppError(
      402,
      "budget_exceeded",
      `${what} is estimated at $${usd.toFixed(2)}, more than the $${budget.remaining_usd.toFixed(2)} left of the $${budget.limit_usd} budget ($${budget.spent_usd.toFixed(2)} spent); nothing was started`,
    );
  }
}
