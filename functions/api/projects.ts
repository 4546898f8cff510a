import { createRoute, z } from "@hono/zod-openapi";
import { EXPORT_FORMATS } from "../../core/export/kinds.ts";
import {
  createProject,
  getFullProject,
  listProjects,
  requireLiveProject,
  softDeleteProject,
  updateProject,
} from "../../core/projects.ts";
import { settingsOf } from "../../core/settings.ts";
import { projectCosts } from "../../core/spend.ts";
import { createStoryboard, reorderStoryboards } from "../../core/storyboard-edits.ts";
import { defineRoute, lambdaHandler } from "./app.ts";
import { ProjectPatch, StoryboardCreate, StoryboardOrder } from "./edit-schemas.ts";
import { JobOut, toJob } from "./job-responses.ts";
import {
  AssetOut,
  ErrorBody,
  errors,
  idParam,
  json,
  jsonBody,
  Message,
  PageQuery,
  ProjectInput,
  ProjectOut,
  ProjectSettingsOut,
  ProjectSummary,
  StoryboardOut,
  toAsset,
  toProject,
  toProjectSummary,
  toStoryboard,
} from "./schemas.ts";
import { API_PREFIX } from "./types.ts";

const tags = ["projects"];
const projectId = idParam("project_id");

/**
 * A project and what it holds: create, list, reopen, delete, its spend and its jobs. The routes
 * that generate for a project live in projects-generate.ts.
 */
export const routes = [
  defineRoute(
    createRoute({
      method: "get",
      path: `${API_PREFIX}/projects`,
      tags,
      summary: "List live projects, newest first",
      request: { query: PageQuery },
      responses: {
        200: json(
          z.object({
            items: z.array(ProjectSummary),
            total: z.number(),
            page: z.number(),
            size: z.number(),
          }),
          "One page of projects",
        ),
        ...errors(422),
      },
    }),
    async (c) => {
      const { page, size } = c.req.valid("query");
      const result = await listProjects(page, size);
      return c.json({ ...result, items: result.items.map(toProjectSummary) }, 200);
    },
  ),
  defineRoute(
    createRoute({
      method: "post",
      path: `${API_PREFIX}/projects`,
      tags,
      summary: "Create an empty project",
      request: jsonBody(ProjectInput),
      responses: {
        201: json(
          z.object({ id: z.number(), name: z.string(), settings: ProjectSettingsOut }),
          "Created",
        ),
        ...errors(422),
      },
    }),
    async (c) => {
      const { name, settings } = c.req.valid("json");
      const project = await createProject(name, settings);
      return c.json(
        { id: project.id, name: project.name, settings: settingsOf(project.settings) },
        201,
      );
    },
  ),
  defineRoute(
    createRoute({
      method: "get",
      path: `${API_PREFIX}/projects/{project_id}`,
      tags,
      summary: "Everything needed to reopen a project",
      request: { params: projectId },
      responses: {
        200: json(
          z.object({
            project: ProjectOut,
            assets: z.array(AssetOut),
            storyboards: z.array(StoryboardOut),
          }),
          "Project with its assets and storyboards",
        ),
        ...errors(404, 422),
      },
    }),
    async (c) => {
      const full = await getFullProject(c.req.valid("param").project_id);
      return c.json(
        {
          project: toProject(full.project),
          assets: full.assets.map(toAsset),
          storyboards: full.storyboards.map(toStoryboard),
        },
        200,
      );
    },
  ),
  defineRoute(
    createRoute({
      method: "get",
      path: `${API_PREFIX}/projects/{project_id}/costs`,
      tags,
      summary: "Estimated spend of the project's paid provider calls, by kind",
      request: { params: projectId },
      responses: {
        200: json(
          z.object({
            project_id: z.number(),
            total_usd: z.number(),
            by_kind: z.record(z.string(), z.object({ calls: z.number(), usd: z.number() })),
            prices: z.record(z.string(), z.number()),
          }),
          "Totals",
        ),
        ...errors(404, 422),
      },
    }),
    async (c) => {
      const id = c.req.valid("param").project_id;
      await requireLiveProject(id);
      return c.json(await projectCosts(id), 200);
    },
  ),
  defineRoute(
    createRoute({
      method: "get",
      path: `${API_PREFIX}/projects/{project_id}/export`,
      tags,
      summary:
        "The current cut's timeline for editing software (FCPXML, OTIO, EDL) or its subtitles",
      description:
        "A download (`Content-Disposition: attachment`) of the cut the project's `video_url` " +
        "is: FCPXML 1.10, OpenTimelineIO JSON, CMX 3600 EDL, SubRip or WebVTT. A project " +
        "without a cut is 409 `no_cut`.",
      request: { params: projectId, query: z.object({ format: z.enum(EXPORT_FORMATS) }) },
      responses: {
        200: {
          description: "The file",
          content: Object.fromEntries(
            [
              "application/xml",
              "application/json",
              "text/plain",
              "application/x-subrip",
              "text/vtt",
            ].map((type) => [type, { schema: z.string() }]),
          ),
        },
        409: json(ErrorBody, "The project has no final cut to export yet"),
        ...errors(404, 422),
      },
    }),
    async (c) => {
      // The writers load only for this route.
      const { exportCut } = await import("../../core/export/formats.ts");
      const file = await exportCut(c.req.valid("param").project_id, c.req.valid("query").format);
      return c.body(file.body, 200, {
        "content-type": file.contentType,
        "content-disposition": `attachment; filename="${file.filename}"`,
      });
    },
  ),
  defineRoute(
    createRoute({
      method: "get",
      path: `${API_PREFIX}/projects/{project_id}/jobs`,
      tags: ["jobs"],
      summary: "A project's jobs, newest first",
      request: { params: projectId },
      responses: { 200: json(z.array(JobOut), "Jobs"), ...errors(404, 422) },
    }),
    async (c) => {
      // The job store's client loads only here, not for the project routes around it.
      const { projectJobs } = await import("../../core/jobs/read.ts");
      return c.json((await projectJobs(c.req.valid("param").project_id)).map(toJob), 200);
    },
  ),
  defineRoute(
    createRoute({
      method: "delete",
      path: `${API_PREFIX}/projects/{project_id}`,
      tags,
      summary: "Soft-delete a project",
      request: { params: projectId },
      responses: { 200: json(Message, "Deleted"), ...errors(404, 422) },
    }),
    async (c) => {
      const id = c.req.valid("param").project_id;
      await softDeleteProject(id);
      return c.json({ message: `项目 ${id} 删除成功` }, 200);
    },
  ),
  defineRoute(
    createRoute({
      method: "patch",
      path: `${API_PREFIX}/projects/{project_id}`,
      tags,
      summary: "Rename a project, change its idea or script, or change some settings",
      request: { params: projectId, ...jsonBody(ProjectPatch) },
      responses: { 200: json(ProjectOut, "The project"), ...errors(404, 422) },
    }),
    async (c) => {
      const id = c.req.valid("param").project_id;
      await updateProject(id, c.req.valid("json"));
      return c.json(toProject((await getFullProject(id)).project), 200);
    },
  ),
  defineRoute(
    createRoute({
      method: "post",
      path: `${API_PREFIX}/projects/{project_id}/storyboards`,
      tags: ["storyboards"],
      summary: "Add a shot at a position (1-based; omitted: at the end)",
      request: { params: projectId, ...jsonBody(StoryboardCreate) },
      responses: {
        201: json(StoryboardOut, "The new storyboard"),
        // 502: last_frame_url's host could not be resolved in time (checked when submitted).
        ...errors(400, 404, 422, 502),
      },
    }),
    async (c) => {
      const board = await createStoryboard(c.req.valid("param").project_id, c.req.valid("json"));
      return c.json(toStoryboard(board), 201);
    },
  ),
  defineRoute(
    createRoute({
      method: "put",
      path: `${API_PREFIX}/projects/{project_id}/storyboards/order`,
      tags: ["storyboards"],
      summary: "Put the shots in a new order (a permutation of the project's storyboards)",
      request: { params: projectId, ...jsonBody(StoryboardOrder) },
      responses: {
        200: json(z.array(StoryboardOut), "The storyboards in their new order"),
        ...errors(400, 404, 422),
      },
    }),
    async (c) => {
      const id = c.req.valid("param").project_id;
      await reorderStoryboards(id, c.req.valid("json").storyboard_ids);
      return c.json((await getFullProject(id)).storyboards.map(toStoryboard), 200);
    },
  ),
];

export const handler = lambdaHandler(routes);
