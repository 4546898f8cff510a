import { randomUUID } from "node:crypto";
import { OpenAPIHono, type RouteConfig, type RouteHandler } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { handle } from "hono/aws-lambda";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { ZodError } from "zod";
import {
  authenticate,
  currentPrincipal,
  LOCAL_OWNER,
  type Principal,
  withPrincipal,
} from "../../core/auth.ts";
import { config } from "../../core/config.ts";
import { AppError, type FieldError, validationFailed } from "../../core/errors.ts";
import { log, withLogContext } from "../../core/log.ts";
import { rateClassOf, spendRate } from "../../core/rate-limit.ts";
import { assertWithinBudget } from "../../core/spend.ts";

export const API_PREFIX = "/api/v1";

/** One row of the route table: the OpenAPI route (method, path, schemas) and its handler. */
export interface ApiRoute {
  route: RouteConfig;
  handler: RouteHandler<RouteConfig>;
}

/** Body routes accept JSON only; anything else is a clear 415 rather than a confusing 422. */
const requireJson: MiddlewareHandler = async (c, next) => {
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

/** Postgres text cannot hold NUL characters; refuse them before they reach a query. */
const NUL_IN_URL = /%00/i;
const nulRefused = () =>
  new AppError(
    422,
    "validation_failed",
    "NUL characters (\\u0000) are not accepted in paths, queries or bodies",
  );

const refuseNul: MiddlewareHandler = async (c, next) => {
  if (NUL_IN_URL.test(c.req.url)) throw nulRefused();
  await next();
};

/**
 * Who the request acts for. With a key: its owner (an unknown or revoked key is a 401 even when
 * keys are optional). Without one: a 401 when AUTH_REQUIRED, else the local owner.
 */
const authenticateRequest: MiddlewareHandler = async (c, next) => {
  const header = c.req.header("authorization");
  let principal: Principal | undefined;
  if (header) {
    const key = header.match(/^Bearer\s+(\S+)$/i)?.[1];
    principal = key ? await authenticate(key) : undefined;
    if (!principal)
      throw new AppError(401, "invalid_api_key", "The API key is invalid or revoked", undefined, {
        "www-authenticate": "Bearer",
      });
  } else if (config().AUTH_REQUIRED) {
    throw new AppError(
      401,
      "missing_api_key",
      "Send an API key: Authorization: Bearer <key>",
      undefined,
      { "www-authenticate": "Bearer" },
    );
  } else {
    principal = { owner: LOCAL_OWNER, admin: true };
  }
  const p = principal;
  return withPrincipal(p, async () => {
    const rateClass = rateClassOf(c.req.method, c.req.path);
    // Rate limits need the shared counter store, present wherever jobs can run.
    if (config().JOBS_QUEUE_URL) await spendRate(p.owner, p.keyId, rateClass);
    // Paid work stops at the owner's budget; an estimate (?estimate=true) costs nothing.
    if (rateClass !== "read" && c.req.query("estimate") !== "true")
      await assertWithinBudget(p.owner);
    await next();
  });
};

/** Writes to shared resources (prompt templates) need an admin key. */
export const requireAdmin: MiddlewareHandler = async (_c, next) => {
  if (!currentPrincipal()?.admin)
    throw new AppError(403, "admin_required", "This needs an admin API key");
  await next();
};

export function defineRoute<R extends RouteConfig>(route: R, handler: RouteHandler<R>): ApiRoute {
  const withJsonGuard = route.request?.body
    ? ({ ...route, middleware: [requireJson, ...[route.middleware ?? []].flat()] } as R)
    : route;
  return { route: withJsonGuard, handler: handler as unknown as RouteHandler<RouteConfig> };
}

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
export function errorResponse(error: unknown, c: Context): Response {
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
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

function requestIdOf(c: Context): string {
  const given = c.req.header("x-request-id");
  if (given && REQUEST_ID.test(given)) return given;
  const lambdaId = (c.env as { event?: { requestContext?: { requestId?: string } } } | undefined)
    ?.event?.requestContext?.requestId;
  return lambdaId ?? randomUUID();
}

/** Request id on every log line and response, one access line per request. */
const requestContext: MiddlewareHandler = (c, next) => {
  const requestId = requestIdOf(c);
  return withLogContext({ requestId }, async () => {
    const started = performance.now();
    await next();
    c.header("x-request-id", requestId);
    log.info("request", {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      duration_ms: Math.round(performance.now() - started),
    });
  });
};

/** The Hono app for a set of routes: the local server, each Lambda and the docs all use this. */
export function buildApp(routes: readonly ApiRoute[]): OpenAPIHono {
  const app = new OpenAPIHono({
    defaultHook: (result) => {
      if (!result.success) throw validationFailed(fieldErrors(result.error, result.target));
    },
  });
  app.use("*", requestContext);
  app.use(`${API_PREFIX}/*`, refuseNul);
  app.use(`${API_PREFIX}/*`, authenticateRequest);
  app.use(
    `${API_PREFIX}/*`,
    bodyLimit({
      maxSize: config().MAX_BODY_BYTES,
      onError: () => {
        throw new AppError(
          413,
          "body_too_large",
          `Request body exceeds ${config().MAX_BODY_BYTES} bytes`,
        );
      },
    }),
  );
  for (const { route, handler } of routes) app.openapi(route, handler);
  app.onError(errorResponse);
  app.notFound((c) =>
    c.json({ detail: `No route for ${c.req.method} ${c.req.path}`, code: "route_not_found" }, 404),
  );
  return app;
}

/** A Lambda handler (API Gateway HTTP API, payload v2) serving the given routes. */
export function lambdaHandler(routes: readonly ApiRoute[]) {
  let app: ReturnType<typeof handle> | undefined;
  return (...args: Parameters<ReturnType<typeof handle>>) => {
    app ??= handle(buildApp(routes));
    return app(...args);
  };
}
