import { randomUUID } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { withLogContext } from "../../../core/log.ts";
import type { ApiEnv } from "../types.ts";

export interface RequestIdOptions {
  /** Client ids that do not match are replaced (they end up in logs and headers). */
  accept?: RegExp;
}

const SANE_ID = /^[\w.:-]{1,128}$/;

function requestIdOf(c: Context<ApiEnv>, accept: RegExp): string {
  const given = c.req.header("x-request-id");
  if (given && accept.test(given)) return given;
  const event = c.env?.event as { requestContext?: { requestId?: string } } | undefined;
  return event?.requestContext?.requestId ?? randomUUID();
}

/**
 * Request id on every log line and on the response: the client's `x-request-id` if sane, else
 * API Gateway's, else a UUID.
 */
export function requestId(options: RequestIdOptions = {}): MiddlewareHandler<ApiEnv> {
  const accept = options.accept ?? SANE_ID;
  return (c, next) => {
    const id = requestIdOf(c, accept);
    return withLogContext({ requestId: id }, async () => {
      await next();
      c.header("x-request-id", id);
    });
  };
}
