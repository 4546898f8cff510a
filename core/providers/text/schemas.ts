import { z } from "zod";

/**
 * What the LLM must return. Strict JSON-schema mode needs every field required and no optional
 * ones, so the schemas stay flat and fully required; bounds protect the database and the UI.
 */
export const ScriptSchema = z.object({
  full_script: z.string().min(1).max(50_000),
  assets: z
    .array(
      z.object({
        name: z.string().min(1).max(200),
        description: z.string().max(4_000),
        tags: z.array(z.string().max(100)).max(20),
      }),
    )
    .max(50),
});

export const StoryboardPlanSchema = z.object({
  storyboards: z
    .array(
      z.object({
        frame_prompt: z.string().min(1).max(8_000),
        frame_asset_ids: z.array(z.number().int()).max(20),
        shot_prompt: z.string().min(1).max(8_000),
      }),
    )
    .min(1)
    .max(60),
});

export const ShotRewriteSchema = z.object({
  frame_prompt: z.string().min(1).max(8_000),
  shot_prompt: z.string().min(1).max(8_000),
});

/** A prompt rewritten after a safety refusal (as long as a frame or shot prompt may be). */
export const SafetyRewriteSchema = z.object({
  prompt: z.string().min(1).max(8_000),
});
