import type { MiddlewareHandler } from "hono";
import { config } from "../../../core/config.ts";
import { AppError } from "../../../core/errors.ts";

/** Body routes accept JSON only; anything else is a clear 415 rather than a confusing 422. */
export function requireJson(): MiddlewareHandler {
  return async (c, next) => {
    const type = c.req.header("content-type") ?? "";
    if (!/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
      throw new AppError(
        415,
        "unsupported_media_type",
        "Request body must be JSON (Content-Type: application/json)",
      );
    }
    await next();
  };
}

export interface BodyLimitOptions {
  /** Largest body accepted; MAX_BODY_BYTES when unset. */
  maxBytes?: number;
  /**
   * How much of a refused body is still read (and thrown away) so the client, which is usually
   * still sending, gets the 413; past this the connection is closed instead.
   */
  drainBytes?: number;
}

const DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * Reads the whole body before anything answers, and refuses one over the limit with a 413
 * `body_too_large`. An answer sent while the client is still sending would otherwise be lost:
 * the server closes a socket with unread bytes, the client's next write fails (EPIPE/reset) and
 * most clients report a dropped connection instead of the answer. Reading first also means a
 * 401 or 429 from later in the chain never leaves a body half-read.
 */
export function bodyLimit(options: BodyLimitOptions = {}): MiddlewareHandler {
  return async (c, next) => {
    const maxBytes = options.maxBytes ?? config().MAX_BODY_BYTES;
    const drainBytes = Math.max(options.drainBytes ?? DRAIN_BYTES, maxBytes);
    const body = c.req.raw.body;
    if (!body) return next();
    const declared = Number(c.req.header("content-length") ?? 0);
    let tooLarge = declared > maxBytes;
    let size = 0;
    const chunks: Uint8Array[] = [];
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) tooLarge = true;
      if (size > drainBytes) {
        await reader.cancel();
        break;
      }
      if (!tooLarge) chunks.push(value);
    }
    if (tooLarge)
      throw new AppError(413, "body_too_large", `Request body exceeds ${maxBytes} bytes`);
    c.req.raw = new Request(c.req.raw, { body: Buffer.concat(chunks, size) });
    await next();
  };
}
