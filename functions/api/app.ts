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
import { API_PREFIX, type ApiEnv, type ApiRoute } from "./types.ts";

/** A route of the table; routes with a body get the JSON content-type guard. */
export function defineRoute<R extends RouteConfig>(route: R, handler: RouteHandler<R>): ApiRoute {
  const withJsonGuard = route.request?.body
    ? ({ ...route, middleware: [requireJson(), ...[route.middleware ?? []].flat()] } as R)
    : route;
  return { route: withJsonGuard, handler: handler as unknown as RouteHandler<RouteConfig> };
}

/**
 * The Hono app for a set of routes: the local server, each Lambda and the docs all use this.
 * The chain, in request order: request id and access log on everything; then, under /api/v1,
 * hygiene, who is asking, how often, whether they may still spend, and the body's size.
 */
export function buildApp(routes: readonly ApiRoute[]): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.use("*", requestId(), accessLog());
  app.use(`${API_PREFIX}/*`, refuseNul(), auth(), rateLimit(), budget(), bodyLimit());
  for (const { route, handler } of routes) app.openapi(route, handler);
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
