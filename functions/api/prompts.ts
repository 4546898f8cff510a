import { createRoute, z } from "@hono/zod-openapi";
import { deletePrompt, listPrompts, listPromptsByStep, upsertPrompt } from "../../core/prompts.ts";
import { defineRoute, lambdaHandler } from "./app.ts";
import { requireAdmin } from "./middleware/require-admin.ts";
import {
  errors,
  idParam,
  json,
  jsonBody,
  Message,
  PromptInput,
  PromptOut,
  toPrompt,
} from "./schemas.ts";
import { API_PREFIX } from "./types.ts";

const tags = ["prompts"];

export const routes = [
  defineRoute(
    createRoute({
      method: "get",
      path: `${API_PREFIX}/prompts`,
      tags,
      summary: "List all prompt templates",
      responses: { 200: json(z.array(PromptOut), "All templates") },
    }),
    async (c) => c.json((await listPrompts()).map(toPrompt), 200),
  ),
  defineRoute(
    createRoute({
      method: "get",
      path: `${API_PREFIX}/prompts/step/{step}`,
      tags,
      summary: "List the templates of one step",
      request: {
        params: z.object({
          step: z
            .string()
            .min(1)
            .max(100)
            .openapi({ param: { name: "step", in: "path" } }),
        }),
      },
      responses: { 200: json(z.array(PromptOut), "Templates of the step"), ...errors(422) },
    }),
    async (c) => c.json((await listPromptsByStep(c.req.valid("param").step)).map(toPrompt), 200),
  ),
  defineRoute(
    createRoute({
      method: "post",
      path: `${API_PREFIX}/prompts`,
      tags,
      middleware: [requireAdmin()] as const,
      summary: "Create or replace the template (step, name)",
      request: jsonBody(PromptInput),
      responses: {
        200: json(PromptOut, "The stored template"),
        ...errors(403, 422),
      },
    }),
    async (c) => c.json(toPrompt(await upsertPrompt(c.req.valid("json"))), 200),
  ),
  defineRoute(
    createRoute({
      method: "delete",
      path: `${API_PREFIX}/prompts/{prompt_id}`,
      tags,
      middleware: [requireAdmin()] as const,
      summary: "Delete a template",
      request: { params: idParam("prompt_id") },
      responses: { 200: json(Message, "Deleted"), ...errors(403, 404, 422) },
    }),
    async (c) => {
      await deletePrompt(c.req.valid("param").prompt_id);
      return c.json({ message: "提示词删除成功" }, 200);
    },
  ),
];

export const handler = lambdaHandler(routes);
