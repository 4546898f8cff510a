import { AppError } from "../errors.ts";
import { ProviderError } from "../providers/errors.ts";
import type { Job, JobError } from "./types.ts";

/** What one run of a job handler decided. */
export type Outcome =
  /** `canceled`: the result came after a cancel; it was kept as a version, not used. */
  | { kind: "done"; result: Record<string, unknown>; canceled?: boolean; set?: Partial<Job> }
  /** The step is done and the next one runs later: a message with a delay, no worker waits. */
  | { kind: "later"; delaySeconds: number; progress?: number; set?: Partial<Job> }
  /** Nothing to do yet (another worker may still be inside the paid call): look again later
   * without changing the job. */
  | { kind: "wait"; delaySeconds: number };

/** What a step may use besides the job: progress reports and a check that it still owns it. */
export interface StepContext {
  /** Records progress and extends the step's lease (long final cuts stay owned). */
  report(progress: number): Promise<void>;
  /** Throws {@link LeaseLost} unless this worker still holds the job's step; call it right
   * before side effects that must happen once (storing a result, updating the storyboard). */
  holdLease(): Promise<void>;
}

/** A permanent failure, recorded on the job as its typed error. */
export class JobFailure extends Error {
  constructor(readonly error: JobError) {
    super(error.message);
  }
}

/** A failure worth another try (network, storage, a busy provider), typed for the job's record. */
export class StepFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The job moved on without this worker (it finished, was canceled, or another worker took the
 * step after this one's lease ran out): stop without writing anything. */
export class LeaseLost extends Error {
  constructor(reason: string) {
    super(`step abandoned: ${reason}`);
  }
}

const RETRYABLE_PROVIDER = new Set(["rate_limited", "unavailable", "timeout"]);

/** Whether another attempt of the step may succeed; permanent failures end the job at once. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof JobFailure) return false;
  if (error instanceof StepFailure) return true;
  if (error instanceof ProviderError) return RETRYABLE_PROVIDER.has(error.failure);
  if (error instanceof AppError) return error.status >= 500;
  // Database, queue, file system, network: transient until proven otherwise.
  return true;
}

export function jobErrorOf(error: unknown): JobError {
  if (error instanceof JobFailure) return error.error;
  if (error instanceof StepFailure) return { code: error.code, message: error.message };
  if (error instanceof ProviderError) {
    return {
      code: error.failure === "blocked" ? "rai_filtered" : error.failure,
      message: error.message,
      ...(error.reasons.length ? { reasons: error.reasons } : {}),
    };
  }
  if (error instanceof AppError) return { code: error.code, message: error.message };
  return { code: "step_failed", message: (error as Error).message ?? "unexpected error" };
}
