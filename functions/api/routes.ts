import * as assets from "./assets.ts";
import * as assetsGenerate from "./assets-generate.ts";
import * as hooks from "./hooks.ts";
import * as jobs from "./jobs.ts";
import * as models from "./models.ts";
import * as projects from "./projects.ts";
import * as projectsGenerate from "./projects-generate.ts";
import * as prompts from "./prompts.ts";
import * as storyboards from "./storyboards.ts";
import * as storyboardsGenerate from "./storyboards-generate.ts";
import * as system from "./system.ts";
import type { ApiRoute } from "./types.ts";
import * as uploads from "./uploads.ts";

/**
 * The route table: one module per resource, keyed by its file name, each exporting `routes` and a
 * Lambda `handler`. A route lives with the resource its URL names first (`/projects/{id}/…` in
 * projects), except the routes that make a project's assets, which live with assets. Routes that
 * call a model or start a job sit in the resource's `-generate` module, so the plain ones stay
 * small. The API reference (docs.ts) is not a resource: manifest.ts adds it for infra and the
 * local server.
 */
export const resources = {
  system,
  prompts,
  projects,
  "projects-generate": projectsGenerate,
  assets,
  "assets-generate": assetsGenerate,
  storyboards,
  "storyboards-generate": storyboardsGenerate,
  jobs,
  models,
  hooks,
  uploads,
} as const;

/** Every resource route: what the OpenAPI document describes. */
export const resourceRoutes: ApiRoute[] = Object.values(resources).flatMap((m) => m.routes);
