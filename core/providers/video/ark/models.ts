import type { ModelEntry } from "../../../models/types.ts";
import type { VideoCapabilities } from "../capabilities.ts";

/**
 * Seedance image-to-video models on Volcengine Ark, as plain data (README.md here has the
 * sources). Ids are the dated ones the Ark docs use; an `ep-…` endpoint id also works at the API
 * but is not listed. Durations are the conservative 5/10 s every 1.0 model documents (newer docs
 * allow 2–12 s, unconfirmed here); 1.0 models make no sound.
 */
const COMMON = {
  durations: [5, 10],
  aspect_ratios: ["16:9", "4:3", "1:1", "3:4", "9:16", "21:9"],
  resolutions: ["480p", "720p", "1080p"],
  audio: false,
} satisfies Partial<VideoCapabilities>;

/**
 * Ark bills video by tokens (≈ width × height × fps × seconds / 1024). These are ESTIMATES at
 * 1080p, 24 fps (48,600 tokens a second) from the CNY list prices per million tokens remembered
 * for each model (pro 15, lite 10, pro-fast 4.2) at 7.2 CNY/USD: no official 1.0 price was found
 * to confirm them. Pricing at the top resolution keeps the ledger's estimate from undercounting.
 */
const perSecondAt1080p = (cnyPerMillionTokens: number) =>
  Math.round(((48_600 * cnyPerMillionTokens) / 1_000_000 / 7.2) * 1000) / 1000;

const available = (cfg: { ARK_API_KEY?: string }) => Boolean(cfg.ARK_API_KEY);

const seedance = (
  id: string,
  inputs: Pick<VideoCapabilities, "last_frame" | "reference_images">,
  cny: number,
): ModelEntry => ({
  id,
  kind: "video",
  provider: "ark",
  available,
  price: { per_second_usd: perSecondAt1080p(cny) },
  capabilities: { id, first_frame: true, ...inputs, ...COMMON },
});

export const models: ModelEntry[] = [
  // First frame, or first + last frame.
  seedance("doubao-seedance-1-0-pro-250528", { last_frame: true, reference_images: 0 }, 15),
  // First frame, first + last frame, or 1–4 reference images.
  seedance("doubao-seedance-1-0-lite-i2v-250428", { last_frame: true, reference_images: 4 }, 10),
  // First frame only.
  seedance("doubao-seedance-1-0-pro-fast-251015", { last_frame: false, reference_images: 0 }, 4.2),
];
