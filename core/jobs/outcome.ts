import { AppError } from "../errors.ts";
import { ProviderError } from "../providers/errors.ts";
import type { Job, JobError } from "./types.ts";

/** What one run of a job handler decided. */
export type Outcome =
  | { kind: "done"; result: Record<string, unknown> }
  /** Check again later: the message is re-sent with a delay, no worker waits. */
  | { kind: "later"; delaySeconds: number; progress?: number; set?: Partial<Job> }
  /** Another worker owns this step; drop the message. */
  | { kind: "skip" };

/** A permanent failure, recorded on the job as its typed error. */
export class JobFailure extends Error {
  constructor(readonly error: JobError) {
    super(error.message);
  }
}

export function jobErrorOf(error: unknown): JobError {
  if (error instanceof JobFailure) return error.error;
  if (error instanceof ProviderError) {
    return {
      code: error.failure === "blocked" ? "rai_filtered" : error.failure,
      message: error.message,
      ...(error.reasons.length ? { reasons: error.reasons } : {}),
    };
  }
  if (error instanceof AppError) return { code: error.code, message: error.message };
  return { code: "internal_error", message: (error as Error).message ?? "unexpected error" };
}
