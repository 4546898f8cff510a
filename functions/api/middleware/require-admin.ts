import type { MiddlewareHandler } from "hono";
import { currentPrincipal } from "../../../core/auth.ts";
import { AppError } from "../../../core/errors.ts";

/** Writes to shared resources (prompt templates) need an admin key. */
export function requireAdmin(): MiddlewareHandler {
  return async (_c, next) => {
    if (!currentPrincipal()?.admin)
      throw new AppError(403, "admin_required", "This needs an admin API key");
    await next();
  };
}
