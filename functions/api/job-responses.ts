/**
 * How the API shows a job: the Job schema, and the answer of every route that starts one (202 with
 * a Location to poll, or the finished result when `Prefer: wait=N` is met in time).
 */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { AppError } from "../../core/errors.ts";
import { JOB_TYPES, type Job, type JobType } from "../../core/jobs/types.ts";
import { jobView } from "../../core/jobs/view.ts";
import { errors, json } from "./schemas.ts";
import { API_PREFIX } from "./types.ts";

export const JobOut = z
  .object({
    job_id: z.string(),
    type: z.enum(JOB_TYPES as [JobType, ...JobType[]]),
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
    parent_id: z
      .string()
      .nullable()
      .openapi({ description: "The render (render_film) this job is a step of" }),
    cancel_requested: z.boolean().openapi({
      description:
        "Canceled while its paid operation ran: it finishes, is kept as a version (not made current), then ends canceled",
    }),
    stage: z
      .string()
      .nullable()
      .openapi({ description: "A render's current stage (asset_images … final_cut)" }),
    steps: z
      .record(
        z.string(),
        z.object({ done: z.number(), total: z.number(), failed: z.number().optional() }),
      )
      .nullable()
      .openapi({ description: "A render's progress per stage: steps finished and to do" }),
    callbacks: z
      .array(z.object({ at: z.string(), status: z.number().nullable(), attempt: z.number() }))
      .openapi({
        description:
          "Webhook deliveries to the request's callback_url, one per attempt (status null: no HTTP answer)",
      }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Job");

export const toJob = (j: Job): z.infer<typeof JobOut> => jobView(j);

/**
 * The optional `callback_url` of a job-starting request's JSON body, checked now (400
 * `webhooks_disabled`, 422 for a URL the rules refuse). Routes without a body schema read it here.
 */
export async function callbackUrlOf(c: Context): Promise<string | undefined> {
  if (!/json/i.test(c.req.header("content-type") ?? "")) return undefined;
  // No body at all is seed 001's request; a body that does not parse is refused, not taken for
  // one without callback_url (its webhook would silently never come).
  const text = await c.req.text();
  if (!text.trim()) return undefined;
  let body: { callback_url?: unknown } | null;
  try {
    body = JSON.parse(text);
  } catch {
    // As a required body's validator does: onError answers it as 400 invalid_json.
    throw new HTTPException(400, { message: "Malformed JSON in request body" });
  }
  const raw = body?.callback_url;
  if (raw === undefined || raw === null) return undefined;
  const loc = ["body", "callback_url"];
  if (typeof raw !== "string" || raw.length > 2000) {
    const detail = "callback_url must be a URL string";
    throw new AppError(422, "invalid_url", detail, [{ loc, msg: detail, type: "invalid_url" }]);
  }
  const { checkCallbackUrl } = await import("../../core/jobs/callbacks.ts");
  await checkCallbackUrl(raw, loc);
  return raw;
}

const CALLBACK_DESCRIPTION =
  'https URL POSTed the job JSON when it ends, signed: X-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>"> (400 webhooks_disabled when the server has no WEBHOOK_SECRET)';

/** `callback_url` of a job-starting body: checked by `callbackUrlOf` when submitted. */
export const CallbackUrl = z
  .string()
  .max(2000)
  .optional()
  .openapi({ description: CALLBACK_DESCRIPTION });

/**
 * The optional JSON body `{ "callback_url": … }` of the job routes that have no body schema.
 * Documented as a plain JSON Schema, not zod, so nothing validates it but `callbackUrlOf` (a
 * zod body would add a validator and a content-type gate these routes never had).
 */
export const callbackBody = {
  body: {
    required: false,
    content: {
      "application/json": {
        schema: {
          type: "object" as const,
          properties: {
            callback_url: {
              type: "string" as const,
              maxLength: 2000,
              description: CALLBACK_DESCRIPTION,
            },
          },
        },
      },
    },
  },
};

/** Request headers of the routes that start a job. */
export const JobHeaders = z.object({
  prefer: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: "wait=N (N ≤ 25): answer 200 with the result if done in time" }),
  "idempotency-key": z.string().min(1).max(200).optional().openapi({
    description: "Retries with the same key return the same job instead of starting another",
  }),
});

/** `?estimate=true` on the routes that implement estimates (`{ estimates: true }`). */
export const EstimateQuery = z.object({
  estimate: z
    .enum(["true", "false"])
    .optional()
    .openapi({ description: "true: only estimate the cost, start nothing" }),
});

/** Seconds asked for by `Prefer: wait=N`, at most 25. */
export const preferredWait = (prefer?: string) =>
  Math.min(25, Math.max(0, Number(prefer?.match(/\bwait=(\d+)/)?.[1] ?? 0)));

const FAILED_STATUS: Record<string, AppError["status"]> = { rai_filtered: 422, timeout: 504 };

/**
 * 202 + job + Location, or, with `Prefer: wait=N`, the front end's original 200 body when the
 * job finishes in time (a failure within the wait answers as an error).
 */
export async function accepted(
  c: Context,
  submitted: { job: Job },
  seedBody: (job: Job) => Promise<unknown>,
  // Typed as never: the route's response union is declared in the OpenAPI definition.
): Promise<never> {
  const wait = preferredWait(c.req.header("prefer"));
  // The job store loads with the route that submitted the job, not with every user of JobOut.
  const { waitForJob } = await import("../../core/jobs/read.ts");
  const job = wait > 0 ? await waitForJob(submitted.job.job_id, wait) : submitted.job;
  if (wait > 0 && job.status === "succeeded") return c.json(await seedBody(job), 200) as never;
  if (wait > 0 && job.status === "failed" && job.error) {
    throw new AppError(FAILED_STATUS[job.error.code] ?? 502, job.error.code, job.error.message);
  }
  c.header("Location", `${API_PREFIX}/jobs/${job.job_id}`);
  return c.json(toJob(job), 202) as never;
}

/** The answer of `?estimate=true` (routes with `{ estimates: true }`): the cost, nothing started. */
export const Estimate = z
  .object({
    estimate_usd: z.number(),
    basis: z
      .record(z.string(), z.unknown())
      .openapi({ description: "What the estimate is made of (seconds, price, model, …)" }),
  })
  .openapi("Estimate");

/**
 * The responses of a route that starts a job; `seed` is its 200 body under `Prefer: wait`, or
 * the Estimate under `?estimate=true` when the route implements estimates. 409: the same
 * idempotency key is being submitted right now; 503: the job queue is unavailable.
 */
export const acceptedResponses = (
  seed: z.ZodType,
  description: string,
  { estimates = false } = {},
) => ({
  200: estimates
    ? json(
        z.union([seed, Estimate]),
        `${description} (only with Prefer: wait=N, if done in time); with ?estimate=true, the estimate`,
      )
    : json(seed, `${description} (only with Prefer: wait=N, if done in time)`),
  202: json(JobOut, "Accepted: the job, also at the Location header"),
  ...errors(400, 404, 409, 422, 502, 503, 504),
});
