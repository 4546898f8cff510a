import * as docs from "./docs.ts";
import { resources } from "./routes.ts";
import type { ApiRoute } from "./types.ts";

/** Every module that serves routes: the resources and the API reference. */
export const routeModules = { ...resources, docs } as const;

export type RouteModule = keyof typeof routeModules;

/** Every route the API serves: what the local server and the tests mount. */
export const apiRoutes: ApiRoute[] = Object.values(routeModules).flatMap((m) => m.routes);

/**
 * Method, path and handler export of every route, as infrastructure declares them (one Lambda
 * per route). `npm run routes` writes it to infra/routes.json.
 */
export const routeManifest = Object.entries(routeModules).flatMap(([file, module]) =>
  module.routes.map(({ route }) => ({
    method: route.method.toUpperCase(),
    path: route.path,
    handler: `functions/api/${file}.handler`,
  })),
);
