import type { Hook } from "@hono/zod-openapi";
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ZodError } from "zod";
import { AppError, type FieldError, validationFailed } from "../../../core/errors.ts";
import { log } from "../../../core/log.ts";

const TARGET_LOC: Record<string, string> = { json: "body", query: "query", param: "path" };

function fieldErrors(error: ZodError, target: string): FieldError[] {
  return error.issues.map((issue) => ({
    loc: [
      TARGET_LOC[target] ?? target,
      ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
    ],
    msg: issue.message,
    type: issue.code,
  }));
}

/** Request validation (zod) failures become the contract's 422 with `errors: [{loc, msg, type}]`. */
// biome-ignore lint/suspicious/noExplicitAny: the hook serves every route's schemas
export const validationHook: Hook<any, any, any, any> = (result) => {
  if (!result.success) throw validationFailed(fieldErrors(result.error, result.target));
};

export function errorBody(error: AppError) {
  return {
    detail: error.message,
    code: error.code,
    ...(error.errors ? { errors: error.errors } : {}),
  };
}

/** The Postgres error code, whichever driver raised it and however drizzle wrapped it. */
function sqlStateOf(error: unknown): string | undefined {
  for (
    let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 3;
    depth++
  ) {
    if (typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

/** Maps everything a handler can throw to the contract's `{detail, code}` body. */
export const onError: ErrorHandler = (error: unknown, c: Context): Response => {
  if (error instanceof AppError) {
    return c.json(errorBody(error), error.status, error.headers);
  }
  if (error instanceof HTTPException) {
    const code = error.status === 400 ? "invalid_json" : `http_${error.status}`;
    const detail =
      error.status === 400 ? "Malformed JSON in request body" : error.message || "Request failed";
    return c.json({ detail, code }, error.status);
  }
  const sqlState = sqlStateOf(error);
  // SQLSTATE class 22 (data exception): a value the database cannot store, e.g. a NUL character.
  if (sqlState?.startsWith("22")) {
    return c.json(
      {
        detail: "A value in the request cannot be stored (invalid characters or out of range)",
        code: "invalid_value",
      },
      422,
    );
  }
  log.error("unhandled error", { error });
  return c.json({ detail: "Internal server error", code: "internal_error" }, 500);
};

export const notFound: NotFoundHandler = (c) =>
  c.json({ detail: `No route for ${c.req.method} ${c.req.path}`, code: "route_not_found" }, 404);
