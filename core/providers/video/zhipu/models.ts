import type { ModelEntry } from "../../../models/types.ts";
import type { VideoCapabilities } from "../capabilities.ts";

/**
 * Zhipu BigModel video models (CogVideoX, Vidu 2): plain data, read by the registry and the
 * adapter. Capabilities from the BigModel API reference and model pages (README.md here); prices
 * are estimates (README.md, "Prices"): no list price was found in the sources we could read.
 */

/** How the adapter shapes `image_url` and the size fields for a model. */
export type ZhipuFamily = "cogvideox" | "vidu-image" | "vidu-start-end" | "vidu-reference";

export const familyOf = (id: string): ZhipuFamily =>
  id.startsWith("cogvideox")
    ? "cogvideox"
    : id.endsWith("-start-end")
      ? "vidu-start-end"
      : id.endsWith("-reference")
        ? "vidu-reference"
        : "vidu-image";

const available = (cfg: { ZHIPU_API_KEY?: string }) => Boolean(cfg.ZHIPU_API_KEY);

type Features = Omit<VideoCapabilities, "id">;

/** CogVideoX-3: 5 or 10 s, sizes up to 4K (we ask 720p/1080p), first + last frame, AI sound. */
const COGVIDEOX_3: Features = {
  first_frame: true,
  last_frame: true,
  reference_images: 0,
  durations: [5, 10],
  aspect_ratios: ["16:9", "9:16", "1:1"],
  resolutions: ["720p", "1080p"],
  audio: true,
};

/** Vidu 2 on BigModel: 4 s at 720p ("支持 4 秒时长下 720P 分辨率输出"), no sound of its own. */
const VIDU_2: Features = {
  first_frame: true,
  last_frame: false,
  reference_images: 0,
  durations: [4],
  aspect_ratios: ["16:9", "9:16", "1:1"],
  resolutions: ["720p"],
  audio: false,
};

const entry = (id: string, perSecondUsd: number, features: Features): ModelEntry => ({
  id,
  kind: "video",
  provider: "zhipu",
  available,
  price: { per_second_usd: perSecondUsd },
  capabilities: { id, ...features },
});

export const models: ModelEntry[] = [
  entry("cogvideox-3", 0.04, COGVIDEOX_3),
  entry("vidu2-image", 0.05, VIDU_2),
  entry("vidu2-start-end", 0.05, { ...VIDU_2, last_frame: true }),
  entry("vidu2-reference", 0.05, { ...VIDU_2, first_frame: false, reference_images: 3 }),
];
