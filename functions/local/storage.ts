import { mkdirSync } from "node:fs";
import { serveStatic } from "@hono/node-server/serve-static";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { config } from "../../core/config.ts";
import { AppError } from "../../core/errors.ts";
import { filesDir } from "../../core/storage/local.ts";
import { acceptLocalUpload } from "../../core/storage/uploads.ts";
import { errorBody } from "../api/middleware/errors.ts";

/**
 * Local stand-ins for Qiniu: the form upload endpoint (same fields and token rules) and the public
 * file domain. Only the local server mounts these; deployed stages use Qiniu itself.
 */
export function mountLocalStorage(app: OpenAPIHono): void {
  const limit = config().UPLOAD_MAX_BYTES;
  mkdirSync(filesDir(), { recursive: true });
  app.post(
    "/upload",
    bodyLimit({
      // Multipart framing adds a little on top of the file itself.
      maxSize: limit + 64 * 1024,
      onError: () => {
        throw new AppError(413, "file_too_large", `File exceeds ${limit} bytes`);
      },
    }),
    async (c) => {
      let form: Record<string, unknown>;
      try {
        form = await c.req.parseBody();
      } catch {
        throw new AppError(422, "validation_failed", "Body must be multipart/form-data");
      }
      try {
        const uploaded = await acceptLocalUpload(form);
        return c.json(uploaded, 200);
      } catch (error) {
        // Qiniu clients read `error`; our own clients read `detail`.
        if (error instanceof AppError) {
          return c.json({ error: error.message, ...errorBody(error) }, error.status);
        }
        throw error;
      }
    },
  );
  app.use(
    "/files/*",
    serveStatic({
      root: filesDir(),
      rewriteRequestPath: (path) => path.replace(/^\/files/, ""),
    }),
  );
  app.get("/files/*", (c) => c.json({ detail: "File not found", code: "not_found" }, 404));
}
