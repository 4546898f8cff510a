import { type Job, TERMINAL } from "./types.ts";

/** One webhook delivery attempt as recorded on the job (`status` null: no HTTP answer). */
export interface CallbackAttempt {
  at: string;
  status: number | null;
  attempt: number;
}

/**
 * How a job is shown: GET /jobs/{id} and the body of its webhook. Plain data, so the worker can
 * build it without loading the API's schema library.
 */
export const jobView = (j: Job) => ({
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
  parent_id: j.parent_id ?? null,
  cancel_requested: j.cancel_requested === true,
  stage: j.stage ?? null,
  steps: j.steps ?? null,
  callbacks: j.callbacks ?? [],
  created_at: j.created_at,
  updated_at: j.updated_at,
});
