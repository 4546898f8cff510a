import type { MiddlewareHandler } from "hono";
import { bodyLimit as honoBodyLimit } from "hono/body-limit";
import { config } from "../../../core/config.ts";
import { AppError } from "../../../core/errors.ts";

/** Body routes accept JSON only; anything else is a clear 415 rather than a confusing 422. */
export function requireJson(): MiddlewareHandler {
  return async (c, next) => {
    const type = c.req.header("content-type") ?? "";
    if (!/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
      throw new AppError(
        415,
        "unsupported_media_type",
        "Request body must be JSON (Content-Type: application/json)",
      );
    }
    await next();
  };
}

/** Bodies over MAX_BODY_BYTES are a 413 `body_too_large`. */
export function bodyLimit(): MiddlewareHandler {
  return honoBodyLimit({
    maxSize: config().MAX_BODY_BYTES,
    onError: () => {
      throw new AppError(
        413,
        "body_too_large",
        `Request body exceeds ${config().MAX_BODY_BYTES} bytes`,
      );
    },
  });
}
