import type { MiddlewareHandler } from "hono";
import { AppError } from "../../../core/errors.ts";

const NUL_IN_URL = /%00/i;

/** Postgres text cannot hold NUL characters; refuse them in paths and queries before any query. */
export function refuseNul(): MiddlewareHandler {
  return async (c, next) => {
    if (NUL_IN_URL.test(c.req.url))
      throw new AppError(
        422,
        "validation_failed",
        "NUL characters (\\u0000) are not accepted in paths, queries or bodies",
      );
    await next();
  };
}
