import { OpenAPIHono, type RouteConfig, type RouteHandler } from "@hono/zod-openapi";
import { handle } from "hono/aws-lambda";
import { rateClassOf } from "../../core/rate-limit.ts";
import { accessLog } from "./middleware/access-log.ts";
import { auth } from "./middleware/auth.ts";
import { bodyLimit, requireJson } from "./middleware/body.ts";
import { budget } from "./middleware/budget.ts";
import { notFound, onError, validationHook } from "./middleware/errors.ts";
import { refuseNul } from "./middleware/nul.ts";
import { rateLimit } from "./middleware/rate-limit.ts";
import { requestId } from "./middleware/request-id.ts";
import { type ErrorStatus, errors } from "./schemas.ts";
import {
  API_KEY_SCHEME,
  API_PREFIX,
  type ApiEnv,
  type ApiRoute,
  type RouteOptions,
} from "./types.ts";

/**
 * A route of the table; routes with a body get the JSON content-type guard. `options.estimates`
 * marks a route that implements `?estimate=true`.
 */
export function defineRoute<R extends RouteConfig>(
  route: R,
  handler: RouteHandler<R>,
  options: RouteOptions = {},
): ApiRoute {
  // An optional body (`required: false`) may be absent, so only a required one needs JSON.
  const withJsonGuard = route.request?.body?.required
    ? ({ ...route, middleware: [requireJson(), ...[route.middleware ?? []].flat()] } as R)
    : route;
  return {
    route: withJsonGuard,
    handler: handler as unknown as RouteHandler<RouteConfig>,
    ...options,
  };
}

/** The route with the checks that depend on what the route declares, ahead of its own. */
function guarded({ route, estimates }: ApiRoute): RouteConfig {
  return {
    ...route,
    ...documentedChain(route),
    middleware: [budget({ estimates }), ...[route.middleware ?? []].flat()],
  };
}

/**
 * What the chain below adds to a route's OpenAPI entry: the errors its middleware can answer
 * (decided by the same facts the middleware reads) and the API key. The route's own entries win.
 */
function documentedChain(route: RouteConfig): Pick<RouteConfig, "responses" | "security"> {
  const api = route.path.startsWith(`${API_PREFIX}/`);
  // Hooks authenticate with their URL's token (auth() skips them) and declare their own 401.
  const keyed = api && !route.path.startsWith(`${API_PREFIX}/hooks/`);
  const codes: ErrorStatus[] = [500];
  // bodyLimit (413), refuseNul (422), the rate limiter (429 over a limit, 503 when it cannot count).
  if (api) codes.push(413, 422, 429, 503);
  if (keyed) codes.push(401);
  // requireJson (415) and malformed JSON (400) where a body is required (see defineRoute).
  if (route.request?.body?.required) codes.push(400, 415);
  if (keyed && rateClassOf(route.method.toUpperCase(), route.path) !== "read") codes.push(402);
  return {
    responses: { ...errors(...codes), ...route.responses },
    security: route.security ?? (keyed ? [{ [API_KEY_SCHEME]: [] }] : undefined),
  };
}

/**
 * The Hono app for a set of routes: the local server, each Lambda and the docs all use this.
 * The chain, in request order: request id and access log on everything; then, under /api/v1,
 * the body read whole (so no answer below leaves it half-sent), hygiene, who is asking, how
 * often, and, per route, whether they may still spend.
 */
export function buildApp(routes: readonly ApiRoute[]): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.use("*", requestId(), accessLog());
  app.use(`${API_PREFIX}/*`, bodyLimit(), refuseNul(), auth(), rateLimit());
  for (const r of routes) app.openapi(guarded(r), r.handler);
  app.onError(onError);
  app.notFound(notFound);
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
