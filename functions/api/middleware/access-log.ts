import type { MiddlewareHandler } from "hono";
import { log } from "../../../core/log.ts";

/** One access line per request, written after the response status is known. */
export function accessLog(): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    log.info("request", {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      duration_ms: Math.round(performance.now() - started),
    });
  };
}
