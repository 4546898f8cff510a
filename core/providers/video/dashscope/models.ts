import type { ModelEntry } from "../../../models/types.ts";
import type { VideoCapabilities } from "../capabilities.ts";

/**
 * Alibaba Model Studio (DashScope) Wan video models: plain data, read by the registry and the
 * adapter's last guard. Capabilities from the Model Studio API references (README.md here);
 * prices are estimates (README.md, "Prices"), the highest resolution's, so no estimate is short.
 */

/** What the create request's path and body look like for a model. */
export type WanMode = "i2v" | "kf2v" | "t2v";

/** The mode a model id speaks; the SDK itself switches on `kf2v` in the id. */
export const modeOf = (id: string): WanMode =>
  id.includes("kf2v") ? "kf2v" : id.includes("t2v") ? "t2v" : "i2v";

const available = (cfg: { DASHSCOPE_API_KEY?: string }) => Boolean(cfg.DASHSCOPE_API_KEY);

/** i2v and kf2v take the first frame's shape; these are the shapes our frames come in. */
const FRAME_SHAPES = ["16:9", "9:16"];

function wan(
  id: string,
  perSecondUsd: number,
  features: Pick<VideoCapabilities, "durations" | "resolutions"> & { audio?: boolean },
): ModelEntry {
  const mode = modeOf(id);
  return {
    id,
    kind: "video",
    provider: "dashscope",
    available,
    price: { per_second_usd: perSecondUsd },
    capabilities: {
      id,
      first_frame: mode !== "t2v",
      last_frame: mode === "kf2v",
      reference_images: 0,
      durations: features.durations,
      aspect_ratios: FRAME_SHAPES,
      resolutions: features.resolutions,
      audio: features.audio ?? false,
    },
  };
}

export const models: ModelEntry[] = [
  wan("wan2.6-i2v", 0.15, { durations: [5, 10, 15], resolutions: ["720p", "1080p"], audio: true }),
  wan("wan2.5-i2v-preview", 0.15, {
    durations: [5, 10],
    resolutions: ["480p", "720p", "1080p"],
    audio: true,
  }),
  wan("wan2.2-i2v-flash", 0.07, { durations: [5], resolutions: ["480p", "720p", "1080p"] }),
  wan("wan2.2-i2v-plus", 0.1, { durations: [5], resolutions: ["480p", "1080p"] }),
  wan("wanx2.1-i2v-plus", 0.1, { durations: [5], resolutions: ["720p"] }),
  wan("wanx2.1-i2v-turbo", 0.05, { durations: [3, 4, 5], resolutions: ["480p", "720p"] }),
  wan("wan2.2-kf2v-flash", 0.07, { durations: [5], resolutions: ["480p", "720p", "1080p"] }),
  wan("wanx2.1-kf2v-plus", 0.1, { durations: [5], resolutions: ["720p"] }),
  wan("wan2.5-t2v-preview", 0.15, {
    durations: [5, 10],
    resolutions: ["480p", "720p", "1080p"],
    audio: true,
  }),
];

/** A model's capabilities, or undefined for an id this vendor does not list. */
export const wanCapabilities = (id: string): VideoCapabilities | undefined =>
  models.find((m) => m.id === id)?.capabilities;
