import type { Config } from "../../../config.ts";
import type { ModelEntry } from "../../../models/types.ts";
import type { VideoCapabilities } from "../capabilities.ts";

/**
 * Kling AI's image-to-video models (WIRE-FORMATS "Second wave" → "Kling AI"; README.md here says
 * what is confirmed). Plain data: the registry lists these without loading the adapter.
 *
 * Our resolution picks Kling's `mode`: 720p is `std`, 1080p is `pro`. A last frame is sent as
 * `image_tail`, which Kling takes in the modes listed in `tailModes` only.
 */
export type KlingMode = "std" | "pro";

interface KlingModel {
  id: string;
  durations: number[];
  /** Kling's `sound: "on"` (v2.6 and later): the video comes with its own sound. */
  audio: boolean;
  /** Modes in which `image_tail` is accepted; empty: no last frame. */
  tailModes: KlingMode[];
  /** USD per second at 1080p (pro), the higher of the two modes, so budgets are not undershot. */
  perSecondUsd: number;
}

const FIVE_OR_TEN = [5, 10];

/**
 * Prices are ESTIMATES: Kling bills prepaid "units" (about $0.14 each on the standard packs,
 * $0.098 on trial packs) and its unit table per model/mode could not be confirmed from the
 * official page; the figures come from third-party summaries of it (README.md, "Prices").
 */
export const KLING_MODELS: KlingModel[] = [
  {
    id: "kling-v2-1",
    durations: FIVE_OR_TEN,
    audio: false,
    tailModes: ["pro"],
    perSecondUsd: 0.07,
  },
  {
    id: "kling-v2-1-master",
    durations: FIVE_OR_TEN,
    audio: false,
    tailModes: [],
    perSecondUsd: 0.28,
  },
  {
    id: "kling-v2-5-turbo",
    durations: FIVE_OR_TEN,
    audio: false,
    tailModes: ["pro"],
    perSecondUsd: 0.07,
  },
  { id: "kling-v2-6", durations: FIVE_OR_TEN, audio: true, tailModes: ["pro"], perSecondUsd: 0.14 },
  {
    id: "kling-v3",
    durations: [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    audio: true,
    tailModes: ["std", "pro"],
    perSecondUsd: 0.168,
  },
];

export const modeOf = (resolution: string): KlingMode => (resolution === "1080p" ? "pro" : "std");

export const klingModel = (id: string): KlingModel | undefined =>
  KLING_MODELS.find((m) => m.id === id);

const capabilitiesOf = (m: KlingModel): VideoCapabilities => ({
  id: m.id,
  first_frame: true,
  last_frame: m.tailModes.length > 0,
  reference_images: 0,
  durations: m.durations,
  // Image-to-video takes no aspect ratio: the video has the first frame's shape.
  aspect_ratios: ["16:9", "9:16", "1:1"],
  resolutions: ["720p", "1080p"],
  audio: m.audio,
});

const available = (cfg: Config) => Boolean(cfg.KLING_ACCESS_KEY && cfg.KLING_SECRET_KEY);

export const models: ModelEntry[] = KLING_MODELS.map((m) => ({
  id: m.id,
  kind: "video",
  provider: "kling",
  available,
  price: { per_second_usd: m.perSecondUsd },
  capabilities: capabilitiesOf(m),
}));
