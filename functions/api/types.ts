import type { IncomingMessage } from "node:http";
import type { RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { LambdaContext, LambdaEvent } from "hono/aws-lambda";

export const API_PREFIX = "/api/v1";

/** The OpenAPI security scheme of every keyed /api/v1 route (openapi.ts describes it). */
export const API_KEY_SCHEME = "ApiKey";

/** One row of the route table: the OpenAPI route (method, path, schemas) and its handler. */
export interface ApiRoute extends RouteOptions {
  route: RouteConfig;
  handler: RouteHandler<RouteConfig>;
}

/** What a route declares beyond its OpenAPI definition. */
export interface RouteOptions {
  /**
   * The route answers `?estimate=true` with a cost estimate and starts nothing, so the owner's
   * budget does not stop it. Only routes that implement estimates set this.
   */
  estimates?: boolean;
}

/**
 * What the runtime hands each request: API Gateway's event on Lambda, the socket's request on the
 * local server, nothing under `app.request` in tests.
 */
export interface ApiBindings {
  event?: LambdaEvent;
  lambdaContext?: LambdaContext;
  incoming?: IncomingMessage;
}

export type ApiEnv = { Bindings?: ApiBindings };
