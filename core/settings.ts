import { z } from "zod";
import { config } from "./config.ts";

/**
 * Project settings (CONTRACT, "Project settings"). Stored as given; every read fills in the
 * defaults, so a field added later needs no migration and a project made by a 001 client has
 * the same film as before.
 */
export const ProjectSettingsSchema = z
  .object({
    aspect_ratio: z.enum(["16:9", "9:16", "1:1"]),
    resolution: z.enum(["720p", "1080p"]),
    shot_seconds: z.union([z.literal(4), z.literal(6), z.literal(8)]),
    style: z.string().trim().max(2_000),
    video_model: z.string().trim().min(1).max(200),
    narration: z.boolean(),
    subtitles: z.boolean(),
    voice: z.string().trim().min(1).max(100),
    music_url: z.string().trim().url().max(2_000).nullable(),
    transition: z.enum(["cut", "fade", "dissolve"]),
    continuity: z.enum(["independent", "chain"]),
    loudness_lufs: z.number().min(-40).max(-5),
  })
  .strict();

export type ProjectSettings = z.infer<typeof ProjectSettingsSchema>;

/** A partial update of the settings: only the fields sent change. */
export const ProjectSettingsPatch = ProjectSettingsSchema.partial();

/** The defaults; the deployment's env values (frame aspect ratio, video length…) seed them. */
export function defaultSettings(): ProjectSettings {
  const cfg = config();
  const aspect = ["16:9", "9:16", "1:1"].includes(cfg.FRAME_ASPECT_RATIO)
    ? (cfg.FRAME_ASPECT_RATIO as ProjectSettings["aspect_ratio"])
    : "16:9";
  const seconds = [4, 6, 8].includes(cfg.VIDEO_SECONDS)
    ? (cfg.VIDEO_SECONDS as ProjectSettings["shot_seconds"])
    : 8;
  return {
    aspect_ratio: aspect,
    resolution: cfg.VIDEO_RESOLUTION,
    shot_seconds: seconds,
    style: "",
    video_model: cfg.VEO_MODEL,
    narration: false,
    subtitles: false,
    voice: "Kore",
    music_url: null,
    transition: "cut",
    continuity: "independent",
    loudness_lufs: -16,
  };
}

/** Stored settings with the defaults filled in (unknown stored keys are dropped). */
export function settingsOf(stored: unknown): ProjectSettings {
  const merged = { ...defaultSettings(), ...((stored ?? {}) as Partial<ProjectSettings>) };
  const parsed = ProjectSettingsSchema.safeParse(
    Object.fromEntries(
      Object.keys(ProjectSettingsSchema.shape).map((k) => [k, merged[k as keyof ProjectSettings]]),
    ),
  );
  return parsed.success ? parsed.data : defaultSettings();
}
