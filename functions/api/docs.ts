import { createRoute } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import { defineRoute, lambdaHandler } from "./app.ts";

/**
 * The document covers the whole route table: built on the first request for it, so the reference
 * page's Lambda never loads the table.
 */
let documentCache: Promise<unknown> | undefined;
const openApiDocument = () => {
  documentCache ??= import("./openapi.ts").then((m) => m.openApiDocument());
  return documentCache;
};

/** API reference: the only Lambda that bundles the whole route table. */
export const routes = [
  defineRoute(
    createRoute({
      method: "get",
      path: "/openapi.json",
      hide: true,
      responses: { 200: { description: "OpenAPI 3.1 document" } },
    }),
    async (c) => c.json(await openApiDocument()),
  ),
  defineRoute(
    createRoute({
      method: "get",
      path: "/docs",
      hide: true,
      responses: { 200: { description: "API reference (HTML)" } },
    }),
    async (c, next) =>
      (await Scalar({ url: "/openapi.json", pageTitle: "Storyboard Studio API" })(c, next)) ??
      c.res,
  ),
];

export const handler = lambdaHandler(routes);
