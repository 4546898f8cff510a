import { createRoute, z } from "@hono/zod-openapi";
import { estimateShotVideo } from "../../core/spend.ts";
import { defineRoute, lambdaHandler } from "./app.ts";
import { RegenerateInput } from "./edit-schemas.ts";
import {
  accepted,
  acceptedResponses,
  CallbackUrl,
  callbackUrlOf,
  EstimateQuery,
  JobHeaders,
} from "./job-responses.ts";
import {
  errors,
  HttpUrl,
  Id,
  idParam,
  json,
  jsonBody,
  StoryboardOut,
  toStoryboard,
} from "./schemas.ts";
import { API_PREFIX } from "./types.ts";

const storyboardId = idParam("storyboard_id");
const FrameOut = z.object({ frame_image_url: z.string() }).openapi("Frame");
const NarrationOut = z
  .object({
    narration_audio_url: z.string(),
    duration_seconds: z.number(),
    /** Each line with its speaker, voice and where it is spoken in the clip (seconds). */
    lines: z.array(
      z.object({
        speaker_asset_id: z.number().nullable(),
        voice: z.string(),
        text: z.string(),
        start: z.number(),
        end: z.number(),
      }),
    ),
  })
  .openapi("Narration");

/**
 * What a storyboard's models make: its first frame, a regenerated shot and its shot video. Each handler imports its core module when it runs,
 * so a frame route never loads the job queue and the video route never loads the image model.
 */
export const routes = [
  defineRoute(
    createRoute({
      method: "post",
      path: `${API_PREFIX}/storyboards/{storyboard_id}/generate-frame`,
      tags: ["storyboards"],
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
        ...errors(400, 404, 422, 502, 504),
      },
    }),
    async (c) => {
      const { generateFrame } = await import("../../core/frames.ts");
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
      tags: ["storyboards"],
      summary: "Revise the first frame from a guide sketch",
      request: { params: storyboardId, ...jsonBody(z.object({ guide_image_url: HttpUrl })) },
      responses: {
        200: json(FrameOut, "The revised first frame"),
        ...errors(400, 404, 422, 502, 504),
      },
    }),
    async (c) => {
      const { guideFrame } = await import("../../core/frames.ts");
      const board = await guideFrame(
        c.req.valid("param").storyboard_id,
        c.req.valid("json").guide_image_url,
      );
      return c.json({ frame_image_url: board.frameImageUrl as string }, 200);
    },
  ),
  defineRoute(
    createRoute({
      method: "post",
      path: `${API_PREFIX}/storyboards/{storyboard_id}/generate-video`,
      tags: ["jobs"],
      summary: "Shot video from the first frame (the chosen video model), as a background job",
      request: {
        params: storyboardId,
        headers: JobHeaders,
        query: EstimateQuery,
        ...jsonBody(
          z.object({
            shot_prompt: z.string().trim().min(1).max(8_000),
            /** A video model from GET /models; the project's settings.video_model when absent. */
            model: z.string().trim().min(1).max(200).optional(),
            callback_url: CallbackUrl,
          }),
        ),
      },
      responses: acceptedResponses(z.object({ shot_video_url: z.string() }), "The shot video", {
        estimates: true,
      }),
    }),
    async (c) => {
      if (c.req.valid("query").estimate === "true") {
        // The same plan the job would run (settings, length, model): refusals answer alike.
        const { planShotVideo } = await import("../../core/shot-video-plan.ts");
        const plan = await planShotVideo(
          c.req.valid("param").storyboard_id,
          c.req.valid("json").shot_prompt,
          c.req.valid("json").model,
        );
        return c.json(estimateShotVideo(plan), 200) as never;
      }
      const { submitShotVideo } = await import("../../core/jobs/service.ts");
      const callbackUrl = await callbackUrlOf(c);
      const submitted = await submitShotVideo(
        c.req.valid("param").storyboard_id,
        c.req.valid("json").shot_prompt,
        c.req.valid("header")["idempotency-key"],
        c.req.valid("json").model,
        callbackUrl,
      );
      return accepted(c, submitted, async (job) => ({
        shot_video_url: job.result?.shot_video_url,
      }));
    },
    { estimates: true },
  ),
  defineRoute(
    createRoute({
      method: "post",
      path: `${API_PREFIX}/storyboards/{storyboard_id}/regenerate`,
      tags: ["storyboards"],
      summary: "Rewrite the shot's prompts from a note (LLM), then draw a new first frame",
      description:
        "Seed 002's shot regenerate. The old prompts and frame stay in the history (GET …/versions).",
      request: { params: storyboardId, ...jsonBody(RegenerateInput) },
      responses: {
        200: json(StoryboardOut, "The storyboard with its new prompts and first frame"),
        ...errors(400, 404, 422, 502, 504),
      },
    }),
    async (c) => {
      const { regenerateStoryboard } = await import("../../core/regenerate.ts");
      const board = await regenerateStoryboard(
        c.req.valid("param").storyboard_id,
        c.req.valid("json").detail,
      );
      return c.json(toStoryboard(board), 200);
    },
  ),
  defineRoute(
    createRoute({
      method: "post",
      path: `${API_PREFIX}/storyboards/{storyboard_id}/generate-narration`,
      tags: ["storyboards"],
      summary: "Speak the shot's narration and dialogue (TTS) as its narration clip",
      description:
        "The narrator speaks with the project's `voice`, each character with its asset's `voice` (one is picked and kept when it has none). The WAV is kept as a `narration` version; each line's start and end are measured on the audio.",
      request: { params: storyboardId },
      responses: {
        200: json(NarrationOut, "The shot's new narration clip"),
        ...errors(400, 404, 422, 502, 504),
      },
    }),
    async (c) => {
      const { generateNarration } = await import("../../core/speech/narrate.ts");
      const clip = await generateNarration(c.req.valid("param").storyboard_id);
      return c.json(clip, 200);
    },
  ),
];

export const handler = lambdaHandler(routes);
