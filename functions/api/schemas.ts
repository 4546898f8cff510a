import { z } from "@hono/zod-openapi";
import type { Asset, Project, Prompt, Storyboard } from "../../core/db/schema.ts";
import { ProjectSettingsSchema, settingsOf } from "../../core/settings.ts";

/** Postgres `integer` ids in bodies: outside 1..2^31-1 can never exist, so a 422, not a 404. */
export const Id = z.coerce
  .number({ error: "must be a positive integer" })
  .int("must be a positive integer")
  .min(1, "must be a positive integer")
  .max(2_147_483_647, "is too large");

const CANONICAL_DECIMAL = /^[1-9][0-9]*$/;

/**
 * Integer ids in paths are canonical decimals (`7`): `7.0`, `+7`, `1e1`, ` 7` or `07` are a 422,
 * never read as 7 (so `DELETE /prompts/1.0` cannot delete prompt 1).
 */
export const PathId = z.preprocess(
  (value) => (typeof value === "string" && CANONICAL_DECIMAL.test(value) ? Number(value) : value),
  z
    .number({ error: "must be a positive integer written in decimal digits, e.g. 7" })
    .int("must be a positive integer")
    .min(1, "must be a positive integer")
    .max(2_147_483_647, "is too large"),
);

export const idParam = <K extends string>(name: K) =>
  z.object({ [name]: PathId.openapi({ param: { name, in: "path" }, example: 1 }) } as {
    [P in K]: typeof PathId;
  });

export const PAGE_MAX = 10_000;
export const SIZE_MAX = 100;
export const PageQuery = z.object({
  page: z.coerce.number().int().min(1).max(PAGE_MAX).default(1).openapi({ example: 1 }),
  size: z.coerce.number().int().min(1).max(SIZE_MAX).default(20).openapi({ example: 20 }),
});

const text = (max: number) => z.string().trim().min(1, "must not be empty").max(max);
export const HttpUrl = z
  .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
  .max(2048)
  .openapi({ example: "https://example.com/image.png" });

export const ErrorBody = z
  .object({
    detail: z.string(),
    code: z.string(),
    errors: z
      .array(
        z.object({
          loc: z.array(z.union([z.string(), z.number()])),
          msg: z.string(),
          type: z.string(),
        }),
      )
      .optional(),
  })
  .openapi("Error");

export const Message = z.object({ message: z.string() }).openapi("Message");

const timestamps = { created_at: z.string(), updated_at: z.string() };

/** Every setting with its value (defaults filled in). Rebuilt with this module's `z`: core's
 * schema may be made before @hono/zod-openapi extends zod, and then has no `.openapi`. */
export const ProjectSettingsOut = z
  .object(ProjectSettingsSchema.shape)
  .strict()
  .openapi("ProjectSettings");
const iso = (d: Date | string) => new Date(d).toISOString();

export const PromptInput = z
  .object({ step: text(100), name: text(100), prompt: text(100_000) })
  .openapi("PromptInput");
export const PromptOut = z
  .object({
    id: z.number(),
    step: z.string(),
    name: z.string(),
    prompt: z.string(),
    /** Raised each time the text is replaced; provenance names the version a generation used. */
    version: z.number(),
    ...timestamps,
  })
  .openapi("Prompt");
export const toPrompt = (p: Prompt): z.infer<typeof PromptOut> => ({
  id: p.id,
  step: p.step,
  name: p.name,
  prompt: p.prompt,
  version: p.version,
  created_at: iso(p.createdAt),
  updated_at: iso(p.updatedAt),
});

export const ProjectInput = z
  .object({
    name: text(200),
    settings: ProjectSettingsSchema.partial().strict().optional().openapi({
      description: "Any project settings; the rest take their defaults",
    }),
  })
  .openapi("ProjectInput");
export const ProjectSummary = z
  .object({ id: z.number(), name: z.string(), ...timestamps })
  .openapi("ProjectSummary");
export const toProjectSummary = (
  p: Pick<Project, "id" | "name" | "createdAt" | "updatedAt">,
): z.infer<typeof ProjectSummary> => ({
  id: p.id,
  name: p.name,
  created_at: iso(p.createdAt),
  updated_at: iso(p.updatedAt),
});
export const ProjectOut = z
  .object({
    id: z.number(),
    name: z.string(),
    script: z.string().nullable(),
    full_script: z.string().nullable(),
    prompt_used: z.unknown().nullable(),
    video_url: z.string().nullable(),
    settings: ProjectSettingsOut,
    /** The final cut no longer matches the current shot videos, order, narration or sound. */
    video_stale: z.boolean(),
    ...timestamps,
  })
  .openapi("Project");
/** `videoStale` is computed by the caller (core/staleness.ts); a new project has no cut. */
export const toProject = (p: Project & { videoStale: boolean }): z.infer<typeof ProjectOut> => ({
  ...toProjectSummary(p),
  script: p.script,
  full_script: p.fullScript,
  prompt_used: p.promptUsed ?? null,
  video_url: p.videoUrl,
  settings: settingsOf(p.settings),
  video_stale: p.videoStale,
});

export const AssetOut = z
  .object({
    id: z.number(),
    project_id: z.number(),
    name: z.string(),
    description: z.string(),
    tags: z.array(z.string()),
    original_url: z.string().nullable(),
    /** How the current image was made: provider, model, prompt. */
    image_meta: z.unknown().nullable(),
    /** The voice this character speaks with (null: the project's voice). */
    voice: z.string().nullable(),
    ...timestamps,
  })
  .openapi("Asset");
export const toAsset = (a: Asset): z.infer<typeof AssetOut> => ({
  id: a.id,
  project_id: a.projectId,
  name: a.name,
  description: a.description,
  tags: a.tags,
  original_url: a.originalUrl,
  image_meta: a.imageMeta ?? null,
  voice: a.voice ?? null,
  created_at: iso(a.createdAt),
  updated_at: iso(a.updatedAt),
});

export const DialogueLine = z
  .object({ speaker_asset_id: Id, text: text(2_000) })
  .openapi("DialogueLine");
export const Transition = z.enum(["cut", "fade", "dissolve"]);

export const StoryboardOut = z
  .object({
    id: z.number(),
    project_id: z.number(),
    /** 1-based order in the film. */
    position: z.number(),
    frame_prompt: z.string(),
    frame_asset_ids: z.array(z.number()),
    frame_image_url: z.string().nullable(),
    /** How the current first frame was made: provider, model, prompt, reference URLs. */
    frame_meta: z.unknown().nullable(),
    shot_prompt: z.string(),
    shot_video_url: z.string().nullable(),
    duration_seconds: z.number().nullable(),
    narration: z.string().nullable(),
    dialogue: z.array(z.object({ speaker_asset_id: z.number(), text: z.string() })),
    transition: Transition,
    last_frame_url: z.string().nullable(),
    /** The frame's prompt, asset ids or one of those assets' images changed after it was made. */
    frame_stale: z.boolean(),
    /** The shot video's first frame or shot prompt changed after it was made. */
    video_stale: z.boolean(),
    ...timestamps,
  })
  .openapi("Storyboard");
/** Staleness is computed by the caller (core/staleness.ts) from the version graph. */
export const toStoryboard = (
  s: Storyboard & { frameStale: boolean; videoStale: boolean },
): z.infer<typeof StoryboardOut> => ({
  id: s.id,
  project_id: s.projectId,
  position: s.position,
  frame_prompt: s.framePrompt,
  frame_asset_ids: s.frameAssetIds,
  frame_image_url: s.frameImageUrl,
  frame_meta: s.frameMeta ?? null,
  shot_prompt: s.shotPrompt,
  shot_video_url: s.shotVideoUrl,
  duration_seconds: s.durationSeconds ?? null,
  narration: s.narration ?? null,
  dialogue: (s.dialogue ?? []) as { speaker_asset_id: number; text: string }[],
  transition: s.transition as z.infer<typeof Transition>,
  last_frame_url: s.lastFrameUrl ?? null,
  frame_stale: s.frameStale,
  video_stale: s.videoStale,
  created_at: iso(s.createdAt),
  updated_at: iso(s.updatedAt),
});

/** JSON request body and response declarations, so route definitions stay one screen long. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { content: { "application/json": { schema } }, required: true },
});
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

const ERROR_TEXT = {
  400: "Business rule broken, or malformed JSON",
  401: "Missing, invalid or revoked API key",
  402: "The owner's budget is spent: new paid work is refused",
  403: "Needs an admin API key",
  404: "Unknown or deleted resource",
  409: "Conflicts with the resource's state",
  413: "Body too large",
  415: "Body is not JSON",
  422: "Invalid body, query or path, or content refused by the provider's safety filter",
  429: "Too many requests (see Retry-After)",
  500: "Internal error",
  502: "The AI or storage provider failed (its reason is in detail)",
  503: "A service the request needs (job queue, rate-limit counter) is unavailable; retry later",
  504: "The provider did not answer in time",
} as const;
export type ErrorStatus = keyof typeof ERROR_TEXT;

/**
 * Error responses (the `Error` body) for the given statuses, e.g. `...errors(404, 409)`. A route
 * lists what its handler and validation answer; app.ts (documentedChain) adds what the middleware
 * can (401, 402, 413, 415, 429, …), so those are not repeated per route.
 */
export const errors = (...codes: ErrorStatus[]) =>
  Object.fromEntries(codes.map((code) => [code, json(ErrorBody, ERROR_TEXT[code])]));
