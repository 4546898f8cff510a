import { createRoute, z } from "@hono/zod-openapi";
import { acceptVideoHook } from "../../core/jobs/webhook.ts";
import { defineRoute, lambdaHandler } from "./app.ts";
import { sourceAddress } from "./middleware/auth.ts";
import { errors, json } from "./schemas.ts";
import { API_PREFIX } from "./types.ts";

const HookAccepted = z
  .object({
    job_id: z.string(),
    /** Whether the job's video is checked now (false: the job ended or has no video started). */
    checking: z.boolean(),
  })
  .openapi("HookAccepted");

/**
 * Completion callbacks from providers. No API key (the provider has none): the token in the URL,
 * made by the server for that job, is the authentication (core/jobs/webhook.ts).
 */
export const routes = [
  defineRoute(
    createRoute({
      method: "post",
      path: `${API_PREFIX}/hooks/video/{job_id}`,
      tags: ["jobs"],
      summary: "A video provider's completion callback: the job checks its video at once",
      description:
        "Called by the provider at the URL sent with the video request. The body is ignored: the job checks the operation with the provider itself, so a replayed or forged call costs one extra check at most. Needs the `token` of that URL instead of an API key.",
      security: [],
      request: {
        params: z.object({
          job_id: z
            .string()
            .max(100)
            .openapi({ param: { name: "job_id", in: "path" } }),
        }),
        query: z.object({
          token: z.string().max(200).optional().openapi({
            description: "The token of the callback URL (an HMAC of the job id)",
          }),
        }),
      },
      responses: {
        202: json(HookAccepted, "Accepted: the job checks its video now, or has nothing to check"),
        ...errors(401, 422),
      },
    }),
    async (c) => {
      const { job_id } = c.req.valid("param");
      const { checking } = await acceptVideoHook(
        job_id,
        c.req.valid("query").token,
        sourceAddress(c),
      );
      return c.json({ job_id, checking }, 202);
    },
  ),
];

export const handler = lambdaHandler(routes);
