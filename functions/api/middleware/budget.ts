import type { MiddlewareHandler } from "hono";
import { currentPrincipal } from "../../../core/auth.ts";
import { rateClassOf } from "../../../core/rate-limit.ts";
import { assertWithinBudget } from "../../../core/spend.ts";

/** Paid work stops at the owner's budget (402); an estimate (?estimate=true) costs nothing. */
export function budget(): MiddlewareHandler {
  return async (c, next) => {
    const principal = currentPrincipal();
    if (
      principal &&
      rateClassOf(c.req.method, c.req.path) !== "read" &&
      c.req.query("estimate") !== "true"
    )
      await assertWithinBudget(principal.owner);
    await next();
  };
}
