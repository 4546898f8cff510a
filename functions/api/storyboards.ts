import { createRoute, z } from "@hono/zod-openapi";
import {
  deleteStoryboard,
  setStoryboardFrame,
  updateStoryboard,
} from "../../core/storyboard-edits.ts";
import { selectVersion, storyboardVersions } from "../../core/versions.ts";
import { defineRoute, lambdaHandler } from "./app.ts";
import { FrameInput, StoryboardPatch, VersionOut, versionParams } from "./edit-schemas.ts";
import {
  errors,
  idParam,
  json,
  jsonBody,
  Message,
  StoryboardOut,
  toStoryboard,
} from "./schemas.ts";
import { API_PREFIX } from "./types.ts";

const tags = ["storyboards"];
const storyboardId = idParam("storyboard_id");

/**
 * Editing a shot by hand and its history: fields, order, your own first frame, versions and
 * rollback. What the models make for a storyboard lives in storyboards-generate.ts.
 */
export const routes = [
  defineRoute(
    createRoute({
      method: "patch",
      path: `${API_PREFIX}/storyboards/{storyboard_id}`,
      tags,
      summary: "Change a shot: prompts, asset ids, position, duration, narration, dialogue, …",
      request: { params: storyboardId, ...jsonBody(StoryboardPatch) },
      responses: {
        200: json(StoryboardOut, "The storyboard"),
        // 502: last_frame_url's host could not be resolved in time (checked when submitted).
        ...errors(400, 404, 422, 502),
      },
    }),
    async (c) => {
      const board = await updateStoryboard(c.req.valid("param").storyboard_id, c.req.valid("json"));
      return c.json(toStoryboard(board), 200);
    },
  ),
  defineRoute(
    createRoute({
      method: "delete",
      path: `${API_PREFIX}/storyboards/{storyboard_id}`,
      tags,
      summary: "Delete a shot (the shots after it move up)",
      request: { params: storyboardId },
      responses: { 200: json(Message, "Deleted"), ...errors(404, 422) },
    }),
    async (c) => {
      const id = c.req.valid("param").storyboard_id;
      await deleteStoryboard(id);
      return c.json({ message: `分镜 ${id} 删除成功` }, 200);
    },
  ),
  defineRoute(
    createRoute({
      method: "put",
      path: `${API_PREFIX}/storyboards/{storyboard_id}/frame`,
      tags,
      summary: "Use your own first frame (uploaded to our storage first)",
      request: { params: storyboardId, ...jsonBody(FrameInput) },
      responses: {
        200: json(z.object({ frame_image_url: z.string() }), "The new first frame"),
        ...errors(404, 422, 502),
      },
    }),
    async (c) => {
      const board = await setStoryboardFrame(
        c.req.valid("param").storyboard_id,
        c.req.valid("json").image_url,
      );
      return c.json({ frame_image_url: board.frameImageUrl as string }, 200);
    },
  ),
  defineRoute(
    createRoute({
      method: "get",
      path: `${API_PREFIX}/storyboards/{storyboard_id}/versions`,
      tags,
      summary: "Every frame, shot video and narration clip of a shot, newest first",
      request: { params: storyboardId },
      responses: { 200: json(z.array(VersionOut), "The versions"), ...errors(404, 422) },
    }),
    async (c) => c.json(await storyboardVersions(c.req.valid("param").storyboard_id), 200),
  ),
  defineRoute(
    createRoute({
      method: "post",
      path: `${API_PREFIX}/storyboards/{storyboard_id}/versions/{version_id}/select`,
      tags,
      summary: "Make an earlier frame, video or narration current again",
      request: { params: versionParams("storyboard_id") },
      responses: { 200: json(StoryboardOut, "The storyboard"), ...errors(404, 422) },
    }),
    async (c) => {
      const { storyboard_id, version_id } = c.req.valid("param");
      await selectVersion({ storyboardId: storyboard_id }, version_id);
      const { storyboardState } = await import("../../core/storyboards.ts");
      return c.json(toStoryboard(await storyboardState(storyboard_id)), 200);
    },
  ),
];

export const handler = lambdaHandler(routes);
