import { z } from "@hono/zod-openapi";
import { ProjectSettingsPatch } from "../../core/settings.ts";
import { DialogueLine, HttpUrl, Id, idParam, Transition } from "./schemas.ts";

/** Request bodies of the editing and version routes (CONTRACT, "Editing", "Versions"). */

const text = (max: number) => z.string().trim().min(1, "must not be empty").max(max);

export const ProjectPatch = z
  .object({
    name: text(200),
    idea: z.string().max(50_000).nullable(),
    full_script: z.string().max(100_000).nullable(),
    // Rebuilt with this module's `z` (see ProjectSettingsOut in schemas.ts).
    settings: z.object(ProjectSettingsPatch.shape).strict().openapi("ProjectSettingsPatch"),
  })
  .partial()
  .strict()
  .openapi("ProjectPatch");

export const AssetPatch = z
  .object({
    name: text(200),
    description: z.string().max(4_000),
    tags: z.array(z.string().trim().min(1).max(100)).max(20),
    voice: z.string().trim().min(1).max(100).nullable(),
  })
  .partial()
  .strict()
  .openapi("AssetPatch");

const storyboardFields = {
  frame_prompt: text(8_000),
  shot_prompt: text(8_000),
  frame_asset_ids: z.array(Id).max(20),
  position: z.number().int().min(1).max(10_000).openapi({ description: "1-based" }),
  duration_seconds: z.number().int().min(1).max(60).nullable(),
  narration: z.string().trim().max(4_000).nullable(),
  dialogue: z.array(DialogueLine).max(50),
  transition: Transition,
  last_frame_url: HttpUrl.nullable(),
};

export const StoryboardCreate = z
  .object(storyboardFields)
  .partial()
  .required({ frame_prompt: true, shot_prompt: true })
  .strict()
  .openapi("StoryboardCreate");

export const StoryboardPatch = z
  .object(storyboardFields)
  .partial()
  .strict()
  .openapi("StoryboardPatch");

export const StoryboardOrder = z
  .object({ storyboard_ids: z.array(Id).max(1_000) })
  .strict()
  .openapi("StoryboardOrder");

export const FrameInput = z.object({ image_url: HttpUrl }).strict().openapi("FrameInput");

export const RegenerateInput = z
  .object({
    detail: z
      .string()
      .trim()
      .max(2_000)
      .optional()
      .openapi({ description: 'The user\'s note, e.g. "make it night"' }),
  })
  .strict()
  .openapi("RegenerateInput");

export const VersionOut = z
  .object({
    version_id: z.number(),
    kind: z.enum(["frame", "video", "narration", "image"]),
    url: z.string(),
    current: z.boolean(),
    source: z.enum(["generated", "guided", "uploaded", "regenerated"]),
    provenance: z.record(z.string(), z.unknown()).openapi({
      description:
        "model, provider, prompt (the exact text sent), template {id, step, name, version}, input_versions, cost_usd, job_id",
    }),
    created_at: z.string(),
  })
  .openapi("Version");

export const versionParams = (owner: "storyboard_id" | "asset_id") =>
  idParam(owner).extend(idParam("version_id").shape);
