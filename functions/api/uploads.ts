import { createRoute, z } from "@hono/zod-openapi";
import { issueUploadToken } from "../../core/storage/uploads.ts";
import { defineRoute, lambdaHandler } from "./app.ts";
import { json } from "./schemas.ts";
import { API_PREFIX } from "./types.ts";

const UploadTokenOut = z
  .object({
    token: z.string(),
    domain: z.string(),
    bucket: z.string(),
    upload_url: z.string(),
    key_prefix: z.string(),
    expires_at: z.string(),
  })
  .openapi("UploadToken");

const tokenRoute = (method: "get" | "post") =>
  defineRoute(
    createRoute({
      method,
      path: `${API_PREFIX}/qiniu/upload-token`,
      tags: ["uploads"],
      summary: "Token for a direct browser upload (Qiniu, or the local upload endpoint offline)",
      responses: { 200: json(UploadTokenOut, "Upload token") },
    }),
    async (c) => c.json(await issueUploadToken(), 200),
  );

// 001 documents GET, 000 documented POST; both stay.
export const routes = [tokenRoute("get"), tokenRoute("post")];

export const handler = lambdaHandler(routes);
