import { z } from "zod";
import { config } from "./config.ts";
import { videoFrameSize } from "./frame-size.ts";
import { activeVideoModel } from "./providers/video/capabilities.ts";

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
  // The nearest allowed length (a tie goes to the longer): VIDEO_SECONDS=1 in a test means short.
  const seconds = ([4, 6, 8] as const).reduce((best, n) =>
    Math.abs(n - cfg.VIDEO_SECONDS) <= Math.abs(best - cfg.VIDEO_SECONDS) ? n : best,
  );
  return {
    aspect_ratio: aspect,
    resolution: cfg.VIDEO_RESOLUTION,
    shot_seconds: seconds,
    style: "",
    // The configured route's model, so a project that picked none is made as before.
    video_model: activeVideoModel(cfg),
    narration: false,
    subtitles: false,
    voice: "Kore",
    music_url: null,
    transition: "cut",
    continuity: "independent",
    loudness_lufs: -14,
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

/** The frame size the project's film is made at (the final cut's size). */
export const frameSizeOf = (s: Pick<ProjectSettings, "aspect_ratio" | "resolution">) =>
  videoFrameSize(s.aspect_ratio, s.resolution);

/**
 * A prompt with the project's style appended; no style leaves it unchanged. Every image and
 * video prompt goes through this, and provenance records the text that was sent.
 */
export const styledPrompt = (prompt: string, style: string): string =>
  style.trim() ? `${prompt}\nStyle: ${style.trim()}` : prompt;
