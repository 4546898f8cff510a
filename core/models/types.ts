import type { Config } from "../config.ts";
import type { VideoProvider } from "../providers/types.ts";
import type { VideoCapabilities } from "../providers/video/capabilities.ts";

/**
 * One row of the model registry (CONTRACT, "Models"): what `GET /models` lists, what the ledger
 * and estimates price, and — for video — how to build the adapter that speaks to it.
 */
export type ModelKind = "text" | "image" | "video" | "speech";

/** How a model is priced; the ledger and the estimates read the same numbers. */
export type ModelPrice =
  | { per_second_usd: number }
  | { per_image_usd: number }
  | { per_1k_input_tokens_usd: number; per_1k_output_tokens_usd: number };

export interface ModelEntry {
  /** The id as the vendor spells it, e.g. `wan2.2-kf2v-flash`, `kling-v2-1`. */
  id: string;
  kind: ModelKind;
  /** `gemini`, `vertex`, `dashscope`, `zhipu`, `kling`, `ark`, `openrouter`, `offline`, … */
  provider: string;
  /** Set when the provider's keys are configured (or the model is offline). */
  available(cfg: Config): boolean;
  price: ModelPrice;
  /** Video models: what they accept (the capability table's row). */
  capabilities?: VideoCapabilities;
}

/** A video vendor's models and how to make an adapter for one of them. */
export interface VideoVendor {
  provider: string;
  models: ModelEntry[];
  /** Builds the adapter for `modelId` (imported lazily by the registry, so SDK-free routes stay light). */
  create(cfg: Config, modelId: string): Promise<VideoProvider>;
}
