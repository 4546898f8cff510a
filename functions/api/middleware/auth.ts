import type { MiddlewareHandler } from "hono";
import {
  authenticate,
  LOCAL_PRINCIPAL,
  type Principal,
  withPrincipal,
} from "../../../core/auth.ts";
import { config } from "../../../core/config.ts";
import { AppError } from "../../../core/errors.ts";

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
 * Who the request acts for. With a key: its owner (an unknown or revoked key is a 401 even when
 * keys are optional). Without one: a 401 when AUTH_REQUIRED, else the local owner. The rest of
 * the chain runs in that principal's scope, so every core query is scoped to its owner.
 */
export function auth(): MiddlewareHandler {
  return async (c, next) => {
    const principal = await principalOf(c.req.header("authorization"));
    await withPrincipal(principal, next);
  };
}
