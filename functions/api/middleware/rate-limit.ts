import type { MiddlewareHandler } from "hono";
import { currentPrincipal } from "../../../core/auth.ts";
import { config } from "../../../core/config.ts";
import { rateClassOf, spendRate } from "../../../core/rate-limit.ts";

/** Spends one request of the principal's per-minute budget for the request's class (429 when over). */
export function rateLimit(): MiddlewareHandler {
  return async (c, next) => {
    const principal = currentPrincipal();
    // Rate limits need the shared counter store, present wherever jobs can run.
    if (principal && config().JOBS_QUEUE_URL)
      await spendRate(principal.owner, principal.keyId, rateClassOf(c.req.method, c.req.path));
    await next();
  };
}
