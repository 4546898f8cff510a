import { createRoute, z } from "@hono/zod-openapi";
import { generateScript } from "../../core/scripts.ts";
import { generateStoryboards } from "../../core/storyboards.ts";
import { defineRoute, lambdaHandler } from "./app.ts";
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

const tags = ["generation"];
const projectId = idParam("project_id");
const template = z.string().min(1).max(20_000);

export const routes = [
  defineRoute(
    createRoute({
      method: "post",
      path: `${API_PREFIX}/projects/{project_id}/generate-script`,
      tags,
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
      tags,
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
      const { script, prompt_template } = c.req.valid("json");
      const boards = await generateStoryboards(
        c.req.valid("param").project_id,
        script,
        prompt_template,
      );
      return c.json(boards.map(toStoryboard), 200);
    },
  ),
];

export const handler = lambdaHandler(routes);
