import type { MiddlewareHandler } from "hono";
import { currentPrincipal } from "../../../core/auth.ts";
import { config } from "../../../core/config.ts";
import { rateClassOf, rateLimitsActive, spendRate } from "../../../core/rate-limit.ts";

/**
 * Spends one request of the key's per-minute budget for the request's class (429 when over).
 * Requests without a key in open local mode are not limited unless RATE_LIMIT_LOCAL is set.
 */
export function rateLimit(): MiddlewareHandler {
  return async (c, next) => {
    const principal = currentPrincipal();
    const keyless = principal?.keyId === undefined;
    if (principal && rateLimitsActive() && (!keyless || config().RATE_LIMIT_LOCAL))
      await spendRate(principal.owner, principal.keyId, rateClassOf(c.req.method, c.req.path));
    await next();
  };
}
