/**
 * A failed DynamoDB or SQS call. `name` is the service's error type without its namespace
 * (`ConditionalCheckFailedException`, `ResourceNotFoundException`, `ValidationException`, …) or
 * `NetworkError` / `TimeoutError` when no answer came; `message` is the service's own text, which
 * callers may match (e.g. "The table does not have the specified index").
 */
export class AwsError extends Error {
  constructor(
    name: string,
    message: string,
    /** The HTTP status; 0 when there was no answer. */
    readonly status: number,
    /** Whether trying again may succeed: throttling, a 5xx, a lost connection, a timeout. */
    readonly retryable: boolean,
    /** The `Service.Operation` that failed, for logs. */
    readonly operation: string,
  ) {
    super(message);
    this.name = name;
  }
}

/** The error types a caller should simply retry after a pause (AWS's throttling codes). */
const THROTTLING = new Set([
  "ThrottlingException",
  "Throttling",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "TooManyRequestsException",
]);

/** The error an answer with a non-2xx status stands for (AWS JSON protocol: `__type`, `message`). */
export function errorFromAnswer(operation: string, status: number, body: string): AwsError {
  let type = "";
  let message = "";
  try {
    const parsed = JSON.parse(body) as { __type?: string; message?: string; Message?: string };
    type = parsed.__type ?? "";
    message = parsed.message ?? parsed.Message ?? "";
  } catch {
    // Not JSON: a proxy or load balancer answered; the status says enough.
  }
  const name = type.slice(type.lastIndexOf("#") + 1) || `Http${status}`;
  const retryable = status >= 500 || status === 429 || THROTTLING.has(name);
  return new AwsError(
    name,
    message || `${operation} failed with HTTP ${status}`,
    status,
    retryable,
    operation,
  );
}

/** A call that got no answer: refused, reset, unresolvable, or over its time. */
export function errorWithoutAnswer(operation: string, error: unknown): AwsError {
  const timedOut = error instanceof Error && error.name === "TimeoutError";
  const cause = (error as { cause?: { code?: string } } | undefined)?.cause?.code;
  const detail = timedOut ? "timed out" : (cause ?? (error as Error)?.message ?? String(error));
  return new AwsError(
    timedOut ? "TimeoutError" : "NetworkError",
    `${operation}: ${detail}`,
    0,
    true,
    operation,
  );
}

export const isAwsError = (error: unknown, name: string): error is AwsError =>
  error instanceof AwsError && error.name === name;

/** A conditional write whose condition did not hold: the expected outcome of a lost race. */
export const isConditionalCheckFailed = (error: unknown): error is AwsError =>
  isAwsError(error, "ConditionalCheckFailedException");
