import { failureOfStatus, ProviderError } from "../../errors.ts";
import { startAnswerFailure } from "../paid-start.ts";

/**
 * Kling's error answers: `{code, message, request_id}`, documented with these HTTP statuses
 * (README.md, "Error codes"). The status is derived from the code when an answer says 200 but
 * carries a non-zero code, so either way the code decides.
 */
export const NAME = "kling";

export interface KlingAnswer<T> {
  code?: number;
  message?: string;
  request_id?: string;
  data?: T;
}

/** Content policy (1300 trust policy, 1301 content security policy): the input was refused. */
const BLOCKED = new Set([1300, 1301]);

function statusOfCode(code: number): number {
  if (code >= 1000 && code <= 1004) return 401;
  if ((code >= 1100 && code <= 1102) || (code >= 1302 && code <= 1304)) return 429;
  if (code === 1202 || code === 1203) return 404;
  if (code >= 1200 && code < 1400) return 400;
  if (code === 5001) return 503;
  return 500;
}

/** The status that classifies an answer: Kling's code when it gave one, else the HTTP status. */
const statusOf = (httpStatus: number, code: number | undefined) =>
  code !== undefined && code !== 0 ? statusOfCode(code) : httpStatus;

const describe = (httpStatus: number, body: KlingAnswer<unknown>) =>
  `${body.message ?? `HTTP ${httpStatus}`}${body.code ? ` (code ${body.code})` : ""}`;

/** A refused create: content policy is `blocked` (with Kling's words); the rest as paid starts. */
export function createRefusal(httpStatus: number, body: KlingAnswer<unknown>): ProviderError {
  const message = describe(httpStatus, body);
  if (body.code !== undefined && BLOCKED.has(body.code)) {
    return new ProviderError(NAME, "blocked", message, [body.message ?? message]);
  }
  return startAnswerFailure(NAME, statusOf(httpStatus, body.code), message);
}

/** A refused query (nothing paid): typed by the same codes. */
export function queryRefusal(httpStatus: number, body: KlingAnswer<unknown>): ProviderError {
  return new ProviderError(
    NAME,
    failureOfStatus(statusOf(httpStatus, body.code)),
    describe(httpStatus, body),
  );
}

/** Parses an answer; a body that is not JSON becomes a message, not a crash. */
export async function readAnswer<T>(res: Response): Promise<KlingAnswer<T>> {
  const text = await res.text();
  try {
    return JSON.parse(text) as KlingAnswer<T>;
  } catch {
    return { message: text.slice(0, 200) || `HTTP ${res.status}` };
  }
}
