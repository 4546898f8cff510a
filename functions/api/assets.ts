import { createRoute, z } from "@hono/zod-openapi";
import { deleteAsset, requireLiveAsset, setAssetImage, updateAsset } from "../../core/assets.ts";
import { assetVersions, selectVersion } from "../../core/versions.ts";
import { defineRoute, lambdaHandler } from "./app.ts";
import { AssetPatch, VersionOut, versionParams } from "./edit-schemas.ts";
import { AssetOut, errors, HttpUrl, idParam, json, jsonBody, Message, toAsset } from "./schemas.ts";
import { API_PREFIX } from "./types.ts";

const tags = ["assets"];
const assetId = idParam("asset_id");

/**
 * Editing an asset by hand, and its image history. Routes that draw or analyse images live in
 * assets-generate.ts.
 */
export const routes = [
  defineRoute(
    createRoute({
      method: "put",
      path: `${API_PREFIX}/assets/{asset_id}/image`,
      tags,
      summary: "Use your own image for an asset",
      request: { params: assetId, ...jsonBody(z.object({ image_url: HttpUrl })) },
      // 422: invalid, non-public or unresolvable URL (checked when submitted); 502: DNS failed.
      responses: { 200: json(Message, "Updated"), ...errors(404, 422, 502) },
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
  defineRoute(
    createRoute({
      method: "patch",
      path: `${API_PREFIX}/assets/{asset_id}`,
      tags,
      summary: "Change an asset's name, description, tags or voice",
      request: { params: assetId, ...jsonBody(AssetPatch) },
      responses: { 200: json(AssetOut, "The asset"), ...errors(404, 422) },
    }),
    async (c) =>
      c.json(toAsset(await updateAsset(c.req.valid("param").asset_id, c.req.valid("json"))), 200),
  ),
  defineRoute(
    createRoute({
      method: "get",
      path: `${API_PREFIX}/assets/{asset_id}/versions`,
      tags,
      summary: "Every image of an asset, generated or uploaded, newest first",
      request: { params: assetId },
      responses: { 200: json(z.array(VersionOut), "The versions"), ...errors(404, 422) },
    }),
    async (c) => c.json(await assetVersions(c.req.valid("param").asset_id), 200),
  ),
  defineRoute(
    createRoute({
      method: "post",
      path: `${API_PREFIX}/assets/{asset_id}/versions/{version_id}/select`,
      tags,
      summary: "Make an earlier image of the asset current again",
      request: { params: versionParams("asset_id") },
      responses: { 200: json(AssetOut, "The asset"), ...errors(404, 422) },
    }),
    async (c) => {
      const { asset_id, version_id } = c.req.valid("param");
      await selectVersion({ assetId: asset_id }, version_id);
      return c.json(toAsset(await requireLiveAsset(asset_id)), 200);
    },
  ),
];

export const handler = lambdaHandler(routes);
