import * as assetImages from "./asset-images.ts";
import * as assets from "./assets.ts";
import * as docs from "./docs.ts";
import * as frames from "./frames.ts";
import * as jobs from "./jobs.ts";
import * as projects from "./projects.ts";
import * as prompts from "./prompts.ts";
import * as scripts from "./scripts.ts";
import * as system from "./system.ts";
import type { ApiRoute } from "./types.ts";
import * as uploads from "./uploads.ts";

/**
 * The route table, keyed by module file name. Each group is one module under functions/api
 * exporting `routes` and a Lambda
 * `handler`; the local server, the OpenAPI document and the per-route Lambdas all read this.
 */
export const routeGroups = {
  system,
  prompts,
  projects,
  assets,
  uploads,
  scripts,
  "asset-images": assetImages,
  frames,
  jobs,
  docs,
} as const;

export type RouteGroup = keyof typeof routeGroups;

export const apiRoutes: ApiRoute[] = Object.values(routeGroups).flatMap((g) => g.routes);

/** Method, path and handler export of every route, as infrastructure declares them. */
export const routeManifest = Object.entries(routeGroups).flatMap(([group, module]) =>
  module.routes.map(({ route }) => ({
    method: route.method.toUpperCase(),
    path: route.path,
    handler: `functions/api/${group}.handler`,
  })),
);
