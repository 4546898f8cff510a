import { createRoute, z } from "@hono/zod-openapi";
import { POLL_SECONDS, pollJob } from "../../core/jobs/read.ts";
import { defineRoute, lambdaHandler } from "./app.ts";
import { JobOut, preferredWait, toJob } from "./job-responses.ts";
import { errors, json } from "./schemas.ts";
import { API_PREFIX } from "./types.ts";

const jobId = z.object({
  job_id: z.string().openapi({
    param: { name: "job_id", in: "path" },
    description: "The id from the 202 answer; an unknown id, in any spelling, is a 404",
  }),
});

/**
 * Reading and canceling a job. Routes that start jobs live with what they act on (storyboards,
 * projects, assets).
 */
export const routes = [
  defineRoute(
    createRoute({
      method: "get",
      path: `${API_PREFIX}/jobs/{job_id}`,
      tags: ["jobs"],
      summary: "A job's status, progress, result or typed error",
      description: `Poll at the pace of the \`Retry-After\` hint (${POLL_SECONDS} s while the job is queued or running), or send \`Prefer: wait=N\` to hold the answer until the job ends or N seconds pass.`,
      request: {
        params: jobId,
        headers: z.object({
          prefer: z.string().max(200).optional().openapi({
            description: "wait=N (N ≤ 25): answer when the job ends, or after N seconds",
          }),
        }),
      },
      responses: {
        200: {
          ...json(JobOut, "The job"),
          headers: {
            "Retry-After": {
              description: `While the job is queued or running: seconds to wait before asking again (${POLL_SECONDS})`,
              schema: { type: "integer" },
            },
          },
        },
        ...errors(404, 422),
      },
    }),
    async (c) => {
      const { job, pending } = await pollJob(
        c.req.valid("param").job_id,
        preferredWait(c.req.valid("header").prefer),
      );
      if (pending) c.header("Retry-After", String(POLL_SECONDS));
      return c.json(toJob(job), 200);
    },
  ),
  defineRoute(
    createRoute({
      method: "post",
      path: `${API_PREFIX}/jobs/{job_id}/cancel`,
      tags: ["jobs"],
      summary: "Cancel a job (a render with its children); nothing paid starts after it",
      description:
        "A job that has not started a paid call ends `canceled` at once. One whose paid video is already rendering is left to finish (`cancel_requested`): the video is kept as a version, not made current, and the job then ends `canceled`. Canceling a render cancels its children the same way. A finished job is a 409 `job_finished`.",
      request: { params: jobId },
      responses: {
        200: json(JobOut, "The job, canceled (or finishing a paid call first)"),
        ...errors(404, 409, 422),
      },
    }),
    async (c) => {
      const { cancelJob } = await import("../../core/jobs/cancel.ts");
      return c.json(toJob(await cancelJob(c.req.valid("param").job_id)), 200);
    },
  ),
];

export const handler = lambdaHandler(routes);
