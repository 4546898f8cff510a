import { createRoute, z } from "@hono/zod-openapi";
import { projectAssets } from "../../core/assets.ts";
import { defineRoute, lambdaHandler } from "./app.ts";
import {
  accepted,
  acceptedResponses,
  callbackBody,
  callbackUrlOf,
  JobHeaders,
} from "./job-responses.ts";
import { AssetOut, errors, HttpUrl, idParam, json, jsonBody, toAsset } from "./schemas.ts";
import { API_PREFIX } from "./types.ts";

/**
 * Asset images from a model: one now, all of a project's as a background job, or new assets read
 * from uploaded images. Each handler imports its core module when it runs, so the batch route
 * never loads the image model and the image routes never load the job queue.
 */
export const routes = [
  defineRoute(
    createRoute({
      method: "post",
      path: `${API_PREFIX}/assets/{asset_id}/generate-image`,
      tags: ["assets"],
      summary: "Draw one asset's reference image (image model)",
      request: { params: idParam("asset_id") },
      responses: {
        200: json(z.object({ asset: AssetOut }), "The asset with its new image"),
        ...errors(404, 422, 502, 504),
      },
    }),
    async (c) => {
      const { generateAssetImage } = await import("../../core/asset-images.ts");
      return c.json(
        { asset: toAsset(await generateAssetImage(c.req.valid("param").asset_id)) },
        200,
      );
    },
  ),
  defineRoute(
    createRoute({
      method: "post",
      path: `${API_PREFIX}/projects/{project_id}/assets`,
      tags: ["assets"],
      summary: "Legacy: analyse uploaded images into new assets (vision model)",
      request: {
        params: idParam("project_id"),
        ...jsonBody(z.object({ asset_urls: z.array(HttpUrl).min(1).max(10) })),
      },
      responses: {
        200: json(z.array(AssetOut), "The new assets"),
        ...errors(400, 404, 422, 502, 504),
      },
    }),
    async (c) => {
      const { analyseAssetImages } = await import("../../core/asset-images.ts");
      const created = await analyseAssetImages(
        c.req.valid("param").project_id,
        c.req.valid("json").asset_urls,
      );
      return c.json(created.map(toAsset), 200);
    },
  ),
  defineRoute(
    createRoute({
      method: "post",
      path: `${API_PREFIX}/projects/{project_id}/generate-asset-images`,
      tags: ["jobs"],
      summary: "Draw every asset that has no image yet, as a background job",
      request: { params: idParam("project_id"), headers: JobHeaders, ...callbackBody },
      responses: acceptedResponses(z.array(AssetOut), "All the project's assets"),
    }),
    async (c) => {
      const { submitAssetBatch } = await import("../../core/jobs/service.ts");
      const projectId = c.req.valid("param").project_id;
      const submitted = await submitAssetBatch(
        projectId,
        c.req.valid("header")["idempotency-key"],
        await callbackUrlOf(c),
      );
      return accepted(c, submitted, async () => (await projectAssets(projectId)).map(toAsset));
    },
  ),
];

export const handler = lambdaHandler(routes);
