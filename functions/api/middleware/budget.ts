import type { MiddlewareHandler } from "hono";
import { currentPrincipal } from "../../../core/auth.ts";
import { rateClassOf } from "../../../core/rate-limit.ts";
import { assertWithinBudget } from "../../../core/spend.ts";

export interface BudgetOptions {
  /** The route implements `?estimate=true` (answers a cost and starts nothing). */
  estimates?: boolean;
}

/**
 * Paid work stops at the owner's budget (402) before any provider is called. Only a route that
 * implements estimates lets `?estimate=true` through; on any other route the query string is
 * just ignored and the budget still applies.
 */
export function budget(options: BudgetOptions = {}): MiddlewareHandler {
  return async (c, next) => {
    const principal = currentPrincipal();
    const paid = rateClassOf(c.req.method, c.req.path) !== "read";
    const estimate = options.estimates === true && c.req.query("estimate") === "true";
    if (principal && paid && !estimate) await assertWithinBudget(principal.owner);
    await next();
  };
}
