import { createRoute, z } from "@hono/zod-openapi";
import { requireLiveProject } from "../../core/projects.ts";
import { defineRoute, lambdaHandler } from "./app.ts";
import {
  accepted,
  acceptedResponses,
  CallbackUrl,
  callbackBody,
  callbackUrlOf,
  EstimateQuery,
  JobHeaders,
  JobOut,
} from "./job-responses.ts";
import {
  AssetOut,
  errors,
  idParam,
  json,
  jsonBody,
  StoryboardOut,
  toAsset,
  toStoryboard,
} from "./schemas.ts";
import { API_PREFIX } from "./types.ts";

const projectId = idParam("project_id");
const template = z.string().min(1).max(20_000);

const RenderBody = z
  .object({
    callback_url: CallbackUrl,
    only_stale: z.boolean().optional().openapi({
      description:
        "true (default): only what is missing or stale; false: every frame, video and the cut again",
    }),
    dry_run: z
      .boolean()
      .optional()
      .openapi({ description: "true: answer the plan and its estimate, start nothing" }),
  })
  .strict();

const RenderPlanOut = z
  .object({
    plan: z.array(
      z.object({
        stage: z.enum([
          "asset_images",
          "storyboards",
          "frames",
          "videos",
          "narration",
          "final_cut",
        ]),
        storyboard_id: z.number().optional(),
        asset_id: z.number().optional(),
        action: z.enum(["generate", "regenerate", "keep", "skip"]),
        reason: z.string().optional(),
        note: z.string().optional(),
        from_storyboard_id: z.number().optional(),
        mapped: z.array(z.record(z.string(), z.unknown())).optional(),
      }),
    ),
    estimate: z.object({
      usd: z.number(),
      paid_calls: z.number(),
      calls: z.number(),
      per_new_shot: z
        .object({ usd: z.number(), paid_calls: z.number(), calls: z.number() })
        .optional(),
    }),
    video_model: z.string(),
    budget: z
      .object({ limit_usd: z.number(), spent_usd: z.number(), remaining_usd: z.number() })
      .nullable(),
  })
  .openapi("RenderPlan");

/**
 * What a project's generation steps call: the LLM for its script and storyboards, a background
 * job for its final cut. Each handler imports its core module when it runs, so the script route
 * never loads ffmpeg or the queue, and the final cut never loads the LLM client.
 */
export const routes = [
  defineRoute(
    createRoute({
      method: "post",
      path: `${API_PREFIX}/projects/{project_id}/generate-script`,
      tags: ["generation"],
      summary: "Idea → full script and the assets it needs (LLM)",
      request: {
        params: projectId,
        ...jsonBody(
          z.object({
            script_or_idea: z.string().trim().min(1).max(20_000),
            prompt_template: template.optional().openapi({
              description:
                "Must contain ${script_or_idea}. Omitted: the create_script step's stored template (the first by name), else the built-in one, stored as its default on first use",
            }),
          }),
        ),
      },
      responses: {
        200: json(
          z.object({ full_script: z.string(), assets: z.array(AssetOut) }),
          "Script and new assets",
        ),
        ...errors(400, 404, 422, 502, 504),
      },
    }),
    async (c) => {
      const { generateScript } = await import("../../core/scripts.ts");
      const { script_or_idea, prompt_template } = c.req.valid("json");
      const result = await generateScript(
        c.req.valid("param").project_id,
        script_or_idea,
        prompt_template,
      );
      return c.json({ full_script: result.full_script, assets: result.assets.map(toAsset) }, 200);
    },
  ),
  defineRoute(
    createRoute({
      method: "post",
      path: `${API_PREFIX}/projects/{project_id}/generate-storyboards`,
      tags: ["generation"],
      summary: "Script + assets → ordered storyboards (LLM); replaces the previous ones",
      request: {
        params: projectId,
        ...jsonBody(
          z.object({
            script: z.string().trim().min(1).max(50_000),
            prompt_template: template.optional().openapi({
              description:
                "Must contain ${materials_description} and ${script}. Omitted: the create_shots step's stored template (the first by name), else the built-in one, stored as its default on first use",
            }),
          }),
        ),
      },
      responses: {
        200: json(z.array(StoryboardOut), "The new storyboards, in order"),
        ...errors(400, 404, 422, 502, 504),
      },
    }),
    async (c) => {
      const { generateStoryboards } = await import("../../core/storyboards-generate.ts");
      const { script, prompt_template } = c.req.valid("json");
      const boards = await generateStoryboards(
        c.req.valid("param").project_id,
        script,
        prompt_template,
      );
      // New shots: nothing drawn yet, so nothing can be stale.
      return c.json(
        boards.map((b) => toStoryboard({ ...b, frameStale: false, videoStale: false })),
        200,
      );
    },
  ),
  defineRoute(
    createRoute({
      method: "post",
      path: `${API_PREFIX}/projects/{project_id}/compose-video`,
      tags: ["jobs"],
      summary: "Final cut of all shot videos in storyboard order, as a background job",
      request: { params: projectId, headers: JobHeaders, query: EstimateQuery, ...callbackBody },
      responses: acceptedResponses(z.object({ video_url: z.string() }), "The final video", {
        estimates: true,
      }),
    }),
    async (c) => {
      if (c.req.valid("query").estimate === "true") {
        await requireLiveProject(c.req.valid("param").project_id);
        // ffmpeg on our own worker: no provider is paid for a final cut.
        return c.json({ estimate_usd: 0, basis: { provider_calls: 0 } }, 200) as never;
      }
      const { submitFinalCut } = await import("../../core/jobs/service.ts");
      const submitted = await submitFinalCut(
        c.req.valid("param").project_id,
        c.req.valid("header")["idempotency-key"],
        await callbackUrlOf(c),
      );
      return accepted(c, submitted, async (job) => ({
        video_url: job.result?.video_url,
      }));
    },
    { estimates: true },
  ),
  defineRoute(
    createRoute({
      method: "post",
      path: `${API_PREFIX}/projects/{project_id}/render`,
      tags: ["jobs"],
      summary: "One-click render: every missing or stale step up to the final cut, as one job",
      description:
        "Plans from staleness (asset images → storyboards if none → frames → shot videos → narration → final cut) and runs the plan as child jobs of a `render_film` job. `dry_run: true` answers the plan and its estimate and starts nothing. Refused with 400 when the video model cannot do what the plan needs, and with 402 when the estimate goes past what is left of the owner's budget, before any paid call.",
      request: { params: projectId, headers: JobHeaders, ...jsonBody(RenderBody) },
      responses: {
        200: json(
          z.union([RenderPlanOut, z.object({ video_url: z.string().nullable() })]),
          "dry_run: the plan and its estimate; else, with Prefer: wait=N and done in time, the final cut",
        ),
        202: json(JobOut, "Accepted: the render_film job, also at the Location header"),
        ...errors(400, 404, 409, 422, 502, 503, 504),
      },
    }),
    async (c) => {
      const { dryRunRender, submitRender } = await import("../../core/render/submit.ts");
      const body = c.req.valid("json");
      const id = c.req.valid("param").project_id;
      const request = { onlyStale: body.only_stale !== false };
      if (body.dry_run) return c.json(await dryRunRender(id, request), 200) as never;
      const submitted = await submitRender(
        id,
        request,
        c.req.valid("header")["idempotency-key"],
        await callbackUrlOf(c),
      );
      return accepted(c, submitted, async (job) => ({ video_url: job.result?.video_url ?? null }));
    },
  ),
];

export const handler = lambdaHandler(routes);
