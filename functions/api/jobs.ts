import { createRoute, z } from "@hono/zod-openapi";
import { asc, eq } from "drizzle-orm";
import type { Context } from "hono";
import { db } from "../../core/db/client.ts";
import { assets } from "../../core/db/schema.ts";
import { AppError } from "../../core/errors.ts";
import { POLL_SECONDS, pollJob } from "../../core/jobs/read.ts";
import {
  submitAssetBatch,
  submitFinalCut,
  submitShotVideo,
  waitForJob,
} from "../../core/jobs/service.ts";
import { listProjectJobs } from "../../core/jobs/store.ts";
import { type Job, TERMINAL } from "../../core/jobs/types.ts";
import { requireLiveProject } from "../../core/projects.ts";
import { estimateShotVideo } from "../../core/spend.ts";
import { requireLiveStoryboard } from "../../core/storyboards.ts";
import { defineRoute, lambdaHandler } from "./app.ts";
import { errors, idParam, json, jsonBody, toAsset } from "./schemas.ts";
import { API_PREFIX } from "./types.ts";

const tags = ["jobs"];

export const JobOut = z
  .object({
    job_id: z.string(),
    type: z.enum(["generate_video", "compose_video", "generate_asset_images"]),
    status: z.enum(["queued", "running", "succeeded", "failed", "canceled"]),
    progress: z.number(),
    project_id: z.number(),
    storyboard_id: z.number().nullable(),
    result: z.record(z.string(), z.unknown()).nullable(),
    error: z
      .object({ code: z.string(), message: z.string(), reasons: z.array(z.string()).optional() })
      .nullable(),
    last_error: z
      .object({ code: z.string(), message: z.string(), at: z.string(), attempt: z.number() })
      .nullable()
      .openapi({
        description:
          "While a failing step is retried: its latest error and attempt (the job fails after 5)",
      }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Job");

export const toJob = (j: Job): z.infer<typeof JobOut> => ({
  job_id: j.job_id,
  type: j.type,
  status: j.status,
  progress: j.progress,
  project_id: j.project_id,
  storyboard_id: j.storyboard_id ?? null,
  result: j.result ?? null,
  error: j.status === "failed" ? (j.error ?? null) : null,
  last_error:
    j.last_error && !TERMINAL.has(j.status)
      ? {
          code: j.last_error.code,
          message: j.last_error.message,
          at: j.last_error.at,
          attempt: j.last_error.attempt,
        }
      : null,
  created_at: j.created_at,
  updated_at: j.updated_at,
});

const JobHeaders = z.object({
  prefer: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: "wait=N (N ≤ 25): answer 200 with the result if done in time" }),
  "idempotency-key": z.string().min(1).max(200).optional().openapi({
    description: "Retries with the same key return the same job instead of starting another",
  }),
});

const EstimateQuery = z.object({
  estimate: z
    .enum(["true", "false"])
    .optional()
    .openapi({ description: "true: only estimate the cost, start nothing" }),
});

const preferredWait = (prefer?: string) =>
  Math.min(25, Math.max(0, Number(prefer?.match(/\bwait=(\d+)/)?.[1] ?? 0)));

const FAILED_STATUS: Record<string, AppError["status"]> = { rai_filtered: 422, timeout: 504 };

/**
 * 202 + job + Location, or, with `Prefer: wait=N`, the front end's original 200 body when the
 * job finishes in time (a failure within the wait answers as an error).
 */
async function accepted(
  c: Context,
  submitted: { job: Job },
  seedBody: (job: Job) => Promise<unknown>,
  // Typed as never: the route's response union is declared in the OpenAPI definition.
): Promise<never> {
  const wait = preferredWait(c.req.header("prefer"));
  const job = wait > 0 ? await waitForJob(submitted.job.job_id, wait) : submitted.job;
  if (wait > 0 && job.status === "succeeded") return c.json(await seedBody(job), 200) as never;
  if (wait > 0 && job.status === "failed" && job.error) {
    throw new AppError(FAILED_STATUS[job.error.code] ?? 502, job.error.code, job.error.message);
  }
  c.header("Location", `${API_PREFIX}/jobs/${job.job_id}`);
  return c.json(toJob(job), 202) as never;
}

const acceptedResponses = (seed: z.ZodType, description: string) => ({
  200: json(seed, `${description} (only with Prefer: wait=N, if done in time)`),
  202: json(JobOut, "Accepted: the job, also at the Location header"),
  ...errors(400, 404, 413, 415, 422, 502, 504),
});

export const routes = [
  defineRoute(
    createRoute({
      method: "post",
      path: `${API_PREFIX}/storyboards/{storyboard_id}/generate-video`,
      tags,
      summary: "Shot video from the first frame (Veo), as a background job",
      request: {
        params: idParam("storyboard_id"),
        headers: JobHeaders,
        query: EstimateQuery,
        ...jsonBody(z.object({ shot_prompt: z.string().trim().min(1).max(8_000) })),
      },
      responses: acceptedResponses(z.object({ shot_video_url: z.string() }), "The shot video"),
    }),
    async (c) => {
      if (c.req.valid("query").estimate === "true") {
        await requireLiveStoryboard(c.req.valid("param").storyboard_id);
        return c.json(estimateShotVideo(), 200) as never;
      }
      const submitted = await submitShotVideo(
        c.req.valid("param").storyboard_id,
        c.req.valid("json").shot_prompt,
        c.req.valid("header")["idempotency-key"],
      );
      return accepted(c, submitted, async (job) => ({
        shot_video_url: job.result?.shot_video_url,
      }));
    },
    { estimates: true },
  ),
  defineRoute(
    createRoute({
      method: "post",
      path: `${API_PREFIX}/projects/{project_id}/compose-video`,
      tags,
      summary: "Final cut of all shot videos in storyboard order, as a background job",
      request: { params: idParam("project_id"), headers: JobHeaders, query: EstimateQuery },
      responses: acceptedResponses(z.object({ video_url: z.string() }), "The final video"),
    }),
    async (c) => {
      if (c.req.valid("query").estimate === "true") {
        await requireLiveProject(c.req.valid("param").project_id);
        // ffmpeg on our own worker: no provider is paid for a final cut.
        return c.json({ estimate_usd: 0, basis: { provider_calls: 0 } }, 200) as never;
      }
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
  defineRoute(
    createRoute({
      method: "post",
      path: `${API_PREFIX}/projects/{project_id}/generate-asset-images`,
      tags,
      summary: "Draw every asset that has no image yet, as a background job",
      request: { params: idParam("project_id"), headers: JobHeaders },
      responses: acceptedResponses(z.array(z.unknown()), "All the project's assets"),
    }),
    async (c) => {
      const projectId = c.req.valid("param").project_id;
      const submitted = await submitAssetBatch(projectId, c.req.valid("header")["idempotency-key"]);
      return accepted(c, submitted, async () =>
        (
          await (
            await db()
          )
            .select()
            .from(assets)
            .where(eq(assets.projectId, projectId))
            .orderBy(asc(assets.id))
        ).map(toAsset),
      );
    },
  ),
  defineRoute(
    createRoute({
      method: "get",
      path: `${API_PREFIX}/jobs/{job_id}`,
      tags,
      summary: "A job's status, progress, result or typed error",
      description: `Poll at the pace of the \`Retry-After\` hint (${POLL_SECONDS} s while the job is queued or running), or send \`Prefer: wait=N\` to hold the answer until the job ends or N seconds pass.`,
      request: {
        params: z.object({
          job_id: z.string().openapi({
            param: { name: "job_id", in: "path" },
            description: "The id from the 202 answer; an unknown id, in any spelling, is a 404",
          }),
        }),
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
      method: "get",
      path: `${API_PREFIX}/projects/{project_id}/jobs`,
      tags,
      summary: "A project's jobs, newest first",
      request: { params: idParam("project_id") },
      responses: { 200: json(z.array(JobOut), "Jobs"), ...errors(404, 422) },
    }),
    async (c) => {
      const projectId = c.req.valid("param").project_id;
      await requireLiveProject(projectId);
      return c.json((await listProjectJobs(projectId)).map(toJob), 200);
    },
  ),
];

export const handler = lambdaHandler(routes);
