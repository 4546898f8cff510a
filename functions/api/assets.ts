import { createRoute, z } from "@hono/zod-openapi";
import { deleteAsset, setAssetImage } from "../../core/assets.ts";
import { defineRoute, lambdaHandler } from "./app.ts";
import { errors, HttpUrl, idParam, json, jsonBody, Message } from "./schemas.ts";
import { API_PREFIX } from "./types.ts";

const tags = ["assets"];
const assetId = idParam("asset_id");

/** Editing an asset by hand. Routes that draw or analyse images live in assets-generate.ts. */
export const routes = [
  defineRoute(
    createRoute({
      method: "put",
      path: `${API_PREFIX}/assets/{asset_id}/image`,
      tags,
      summary: "Use your own image for an asset",
      request: { params: assetId, ...jsonBody(z.object({ image_url: HttpUrl })) },
      // 422: invalid, non-public or unresolvable URL (checked when submitted); 502: DNS failed.
      responses: { 200: json(Message, "Updated"), ...errors(404, 413, 415, 422, 502) },
    }),
    async (c) => {
      await setAssetImage(c.req.valid("param").asset_id, c.req.valid("json").image_url);
      return c.json({ message: "素材图片更新成功" }, 200);
    },
  ),
  defineRoute(
    createRoute({
      method: "delete",
      path: `${API_PREFIX}/assets/{asset_id}`,
      tags,
      summary: "Delete an asset (storyboards stop referencing it)",
      request: { params: assetId },
      responses: { 200: json(Message, "Deleted"), ...errors(404, 422) },
    }),
    async (c) => {
      const id = c.req.valid("param").asset_id;
      await deleteAsset(id);
      return c.json({ message: `素材 ${id} 删除成功` }, 200);
    },
  ),
];

export const handler = lambdaHandler(routes);
