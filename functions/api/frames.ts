import { createRoute, z } from "@hono/zod-openapi";
import { generateFrame, guideFrame } from "../../core/frames.ts";
import { defineRoute, lambdaHandler } from "./app.ts";
import { errors, HttpUrl, Id, idParam, json, jsonBody } from "./schemas.ts";
import { API_PREFIX } from "./types.ts";

const tags = ["storyboards"];
const storyboardId = idParam("storyboard_id");
const FrameOut = z.object({ frame_image_url: z.string() }).openapi("Frame");

export const routes = [
  defineRoute(
    createRoute({
      method: "post",
      path: `${API_PREFIX}/storyboards/{storyboard_id}/generate-frame`,
      tags,
      summary: "Draw a shot's first frame from its prompt and asset images",
      request: {
        params: storyboardId,
        ...jsonBody(
          z.object({
            frame_prompt: z.string().trim().min(1).max(8_000),
            frame_asset_ids: z.array(Id).max(20),
          }),
        ),
      },
      responses: {
        200: json(FrameOut, "The new first frame"),
        ...errors(400, 404, 413, 415, 422, 502, 504),
      },
    }),
    async (c) => {
      const { frame_prompt, frame_asset_ids } = c.req.valid("json");
      const board = await generateFrame(
        c.req.valid("param").storyboard_id,
        frame_prompt,
        frame_asset_ids,
      );
      return c.json({ frame_image_url: board.frameImageUrl as string }, 200);
    },
  ),
  defineRoute(
    createRoute({
      method: "post",
      path: `${API_PREFIX}/storyboards/{storyboard_id}/guide-frame`,
      tags,
      summary: "Revise the first frame from a guide sketch",
      request: { params: storyboardId, ...jsonBody(z.object({ guide_image_url: HttpUrl })) },
      responses: {
        200: json(FrameOut, "The revised first frame"),
        ...errors(400, 404, 413, 415, 422, 502, 504),
      },
    }),
    async (c) => {
      const board = await guideFrame(
        c.req.valid("param").storyboard_id,
        c.req.valid("json").guide_image_url,
      );
      return c.json({ frame_image_url: board.frameImageUrl as string }, 200);
    },
  ),
];

export const handler = lambdaHandler(routes);
