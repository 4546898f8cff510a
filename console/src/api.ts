import {
  type ApiError,
  type components,
  createStudioClient,
  type StudioClient,
} from "@storyboard-studio/client";

export type Schemas = components["schemas"];
export type Job = Schemas["Job"];

/**
 * Where the API is: the page's own origin (the local server serves both; the deployed site sits
 * behind the same router), unless the build names another (`VITE_API_URL`).
 */
export const apiOrigin = (import.meta.env.VITE_API_URL as string | undefined) || location.origin;

export const KEY_STORAGE = "storyboard-studio.api-key";

export function makeClient(apiKey: string): StudioClient {
  return createStudioClient({ baseUrl: apiOrigin, apiKey: apiKey.trim() || undefined });
}

/** An API refusal or failure, in words a person can act on. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
  ) {
    super(detail);
  }
}

const STATUS_WORDS: Record<number, string> = {
  401: "The API key is missing or not valid. Paste a key in the field at the top.",
  402: "The spending budget for this key is used up.",
  429: "Too many requests right now. Wait a moment and try again.",
  503: "The service is busy or starting. Try again in a few seconds.",
};

/**
 * Unwraps an openapi-fetch result: its data, or an `ApiFailure` carrying the API's own
 * `detail` and `code` (a network failure or a non-JSON answer becomes one too).
 */
export async function call<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result: Awaited<typeof request>;
  try {
    result = await request;
  } catch (error) {
    throw new ApiFailure(0, "network_error", `Could not reach the API (${String(error)}).`);
  }
  const { data, error, response } = result;
  if (response.ok) return data as T;
  const body = (error ?? {}) as Partial<ApiError>;
  const detail = body.detail || STATUS_WORDS[response.status] || response.statusText;
  throw new ApiFailure(response.status, body.code ?? `http_${response.status}`, detail);
}

export function describeError(error: unknown): string {
  if (error instanceof ApiFailure) {
    const hint = STATUS_WORDS[error.status];
    return hint && hint !== error.message ? `${error.message} — ${hint}` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

export const isFinished = (job: Job) =>
  job.status === "succeeded" || job.status === "failed" || job.status === "canceled";

/**
 * Follows a job to its end by long-polling (`Prefer: wait=N`): the API answers as soon as the job
 * ends, else after N seconds with the job as it stands. `onUpdate` sees each state answered. Two
 * seconds, not more: a render's steps (a shot video done, the next stage begun) can pass faster
 * than a longer wait, and the film's shot rows follow those steps.
 */
export async function followJob(
  api: StudioClient,
  jobId: string,
  onUpdate: (job: Job) => void,
  signal?: AbortSignal,
): Promise<Job> {
  for (;;) {
    if (signal?.aborted) throw new DOMException("stopped", "AbortError");
    const job = await call(
      api.GET("/api/v1/jobs/{job_id}", {
        params: { path: { job_id: jobId }, header: { prefer: "wait=2" } },
        ...(signal ? { signal } : {}),
      }),
    );
    onUpdate(job);
    if (isFinished(job)) return job;
  }
}
