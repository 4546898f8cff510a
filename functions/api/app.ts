import { OpenAPIHono, type RouteConfig, type RouteHandler } from "@hono/zod-openapi";
import { handle } from "hono/aws-lambda";
import { accessLog } from "./middleware/access-log.ts";
import { auth } from "./middleware/auth.ts";
import { bodyLimit, requireJson } from "./middleware/body.ts";
import { budget } from "./middleware/budget.ts";
import { notFound, onError, validationHook } from "./middleware/errors.ts";
import { refuseNul } from "./middleware/nul.ts";
import { rateLimit } from "./middleware/rate-limit.ts";
import { requestId } from "./middleware/request-id.ts";
import { API_PREFIX, type ApiEnv, type ApiRoute, type RouteOptions } from "./types.ts";

/**
 * A route of the table; routes with a body get the JSON content-type guard. `options.estimates`
 * marks a route that implements `?estimate=true`.
 */
export function defineRoute<R extends RouteConfig>(
  route: R,
  handler: RouteHandler<R>,
  options: RouteOptions = {},
): ApiRoute {
  const withJsonGuard = route.request?.body
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
  return { ...route, middleware: [budget({ estimates }), ...[route.middleware ?? []].flat()] };
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
