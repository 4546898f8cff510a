import { AppError } from "../errors.ts";

/** What went wrong at a provider, independent of which provider it was. */
export type ProviderFailure =
  | "rate_limited"
  | "timeout"
  | "blocked"
  | "invalid_output"
  | "auth_failed"
  | "model_not_found"
  | "bad_request"
  | "unavailable"
  /** No answer to a request that may have reached the provider: it may have been carried out. */
  | "uncertain";

const STATUS: Record<ProviderFailure, AppError["status"]> = {
  rate_limited: 502,
  timeout: 504,
  // The provider refused this content: the caller must change the prompt or images.
  blocked: 422,
  invalid_output: 502,
  auth_failed: 502,
  model_not_found: 502,
  bad_request: 502,
  unavailable: 502,
  uncertain: 502,
};

/** A failed provider call, typed so HTTP answers (502/504/422) and job errors can use it. */
export class ProviderError extends AppError {
  override name = "ProviderError";
  constructor(
    readonly provider: string,
    readonly failure: ProviderFailure,
    message: string,
    /** Provider-specific reasons, e.g. safety categories. */
    readonly reasons: string[] = [],
  ) {
    super(STATUS[failure], `provider_${failure}`, `${provider}: ${message}`);
  }
}

/** Classifies an HTTP status returned by a provider. */
export function failureOfStatus(status: number | undefined): ProviderFailure {
  if (status === 429) return "rate_limited";
  if (status === 401 || status === 403) return "auth_failed";
  if (status === 404) return "model_not_found";
  if (status === 408 || status === 504) return "timeout";
  if (status !== undefined && status >= 400 && status < 500) return "bad_request";
  return "unavailable";
}

export const isTimeout = (error: unknown) =>
  error instanceof Error &&
  (error.name === "AbortError" ||
    error.name === "TimeoutError" ||
    error.name === "APIConnectionTimeoutError" ||
    /timed? ?out/i.test(error.message));
