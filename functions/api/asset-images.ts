import { createRoute, z } from "@hono/zod-openapi";
import { analyseAssetImages, generateAssetImage } from "../../core/asset-images.ts";
import { defineRoute, lambdaHandler } from "./app.ts";
import { AssetOut, errors, HttpUrl, idParam, json, jsonBody, toAsset } from "./schemas.ts";
import { API_PREFIX } from "./types.ts";

const tags = ["assets"];

export const routes = [
  defineRoute(
    createRoute({
      method: "post",
      path: `${API_PREFIX}/assets/{asset_id}/generate-image`,
      tags,
      summary: "Draw one asset's reference image (image model)",
      request: { params: idParam("asset_id") },
      responses: {
        200: json(z.object({ asset: AssetOut }), "The asset with its new image"),
        ...errors(404, 422, 502, 504),
      },
    }),
    async (c) =>
      c.json({ asset: toAsset(await generateAssetImage(c.req.valid("param").asset_id)) }, 200),
  ),
  defineRoute(
    createRoute({
      method: "post",
      path: `${API_PREFIX}/projects/{project_id}/assets`,
      tags,
      summary: "Legacy: analyse uploaded images into new assets (vision model)",
      request: {
        params: idParam("project_id"),
        ...jsonBody(z.object({ asset_urls: z.array(HttpUrl).min(1).max(10) })),
      },
      responses: {
        200: json(z.array(AssetOut), "The new assets"),
        ...errors(400, 404, 413, 415, 422, 502, 504),
      },
    }),
    async (c) => {
      const created = await analyseAssetImages(
        c.req.valid("param").project_id,
        c.req.valid("json").asset_urls,
      );
      return c.json(created.map(toAsset), 200);
    },
  ),
];

export const handler = lambdaHandler(routes);
