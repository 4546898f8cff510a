import type { Context, MiddlewareHandler } from "hono";
import {
  authenticate,
  LOCAL_PRINCIPAL,
  type Principal,
  withPrincipal,
} from "../../../core/auth.ts";
import { config } from "../../../core/config.ts";
import { AppError } from "../../../core/errors.ts";
import { rateLimitsActive, spendAuthFailure } from "../../../core/rate-limit.ts";
import { API_PREFIX, type ApiEnv } from "../types.ts";

const challenge = { "www-authenticate": "Bearer" };

async function principalOf(header: string | undefined): Promise<Principal> {
  if (header) {
    const key = header.match(/^Bearer\s+(\S+)$/i)?.[1];
    const principal = key ? await authenticate(key) : undefined;
    if (!principal)
      throw new AppError(
        401,
        "invalid_api_key",
        "The API key is invalid or revoked",
        undefined,
        challenge,
      );
    return principal;
  }
  if (config().AUTH_REQUIRED)
    throw new AppError(
      401,
      "missing_api_key",
      "Send an API key: Authorization: Bearer <key>",
      undefined,
      challenge,
    );
  return LOCAL_PRINCIPAL;
}

/**
 * The client's address as the platform saw it: the socket's peer locally, API Gateway's
 * `sourceIp` on Lambda. Never a forwarded-for header, which the client could write itself.
 */
export function sourceAddress(c: Context<ApiEnv>): string {
  const event = c.env?.event as
    | { requestContext?: { http?: { sourceIp?: string }; identity?: { sourceIp?: string } } }
    | undefined;
  return (
    c.env?.incoming?.socket?.remoteAddress ??
    event?.requestContext?.http?.sourceIp ??
    event?.requestContext?.identity?.sourceIp ??
    "unknown"
  );
}

/**
 * Who the request acts for. With a key: its owner (an unknown or revoked key is a 401 even when
 * keys are optional). Without one: a 401 when AUTH_REQUIRED, else the local owner. Failed
 * attempts are counted per source address; past the limit they answer 429. The rest of the chain
 * runs in the principal's scope, so every core query is scoped to its owner.
 */
export function auth(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    // Providers' completion callbacks carry no key: their route checks its URL's own token.
    if (c.req.path.startsWith(`${API_PREFIX}/hooks/`)) return next();
    let principal: Principal;
    try {
      principal = await principalOf(c.req.header("authorization"));
    } catch (error) {
      if (error instanceof AppError && error.status === 401 && rateLimitsActive())
        await spendAuthFailure(sourceAddress(c));
      throw error;
    }
    await withPrincipal(principal, next);
  };
}
