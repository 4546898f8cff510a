import { createRoute, z } from "@hono/zod-openapi";
import { requireLiveProject } from "../../core/projects.ts";
import { defineRoute, lambdaHandler } from "./app.ts";
import { accepted, acceptedResponses, EstimateQuery, JobHeaders } from "./job-responses.ts";
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
            prompt_template: template.openapi({ description: "Must contain ${script_or_idea}" }),
          }),
        ),
      },
      responses: {
        200: json(
          z.object({ full_script: z.string(), assets: z.array(AssetOut) }),
          "Script and new assets",
        ),
        ...errors(400, 404, 413, 415, 422, 502, 504),
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
            prompt_template: template.openapi({
              description: "Must contain ${materials_description} and ${script}",
            }),
          }),
        ),
      },
      responses: {
        200: json(z.array(StoryboardOut), "The new storyboards, in order"),
        ...errors(400, 404, 413, 415, 422, 502, 504),
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
      request: { params: projectId, headers: JobHeaders, query: EstimateQuery },
      responses: acceptedResponses(z.object({ video_url: z.string() }), "The final video"),
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
      );
      return accepted(c, submitted, async (job) => ({
        video_url: job.result?.video_url,
      }));
    },
    { estimates: true },
  ),
];

export const handler = lambdaHandler(routes);
