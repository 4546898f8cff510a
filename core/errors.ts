/** A field-level validation problem, as listed in the error body's `errors`. */
export interface FieldError {
  /** Where the value came from: body, query, path or header, then the field path. */
  loc: (string | number)[];
  msg: string;
  type: string;
}

/**
 * An error whose message is safe to show to the client. Anything else that escapes a handler is
 * a bug and is answered with a generic 500.
 */
export class AppError extends Error {
  override name = "AppError";
  constructor(
    readonly status: 400 | 401 | 402 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 502 | 503 | 504,
    readonly code: string,
    message: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: number | string) =>
  new AppError(404, "not_found", `${what} ${id} does not exist`);

export const badRequest = (code: string, detail: string) => new AppError(400, code, detail);

export const validationFailed = (errors: FieldError[]) =>
  new AppError(
    422,
    "validation_failed",
    `Invalid request: ${errors.map((e) => `${e.loc.join(".")}: ${e.msg}`).join("; ")}`,
    errors,
  );
