import { config } from "../config.ts";
import { modelTable, videoModelRow } from "./registry.ts";
import type { ModelEntry } from "./types.ts";

export type SpendKind = "llm" | "image" | "vision" | "video" | "speech";

/**
 * Gemini TTS bills tokens: the text sent, and the audio it returns at 32 tokens per second of
 * audio (Gemini's audio token rate). The reply's usage counts both; without it the seconds do.
 */
export const AUDIO_TOKENS_PER_SECOND = 32;

/**
 * Estimated list prices in USD; override any of them with PRICES_JSON. `video_per_second` is
 * Veo's; a vendor's video model has its own per-second price in its registry row, overridden by
 * a `video_per_second:<model id>` key.
 */
export const DEFAULT_PRICES = {
  llm_input_per_million_tokens: 0.3,
  llm_output_per_million_tokens: 2.5,
  image: 0.039,
  vision_input_per_million_tokens: 0.3,
  video_per_second: 0.4,
  // Gemini Flash TTS, November 2026 (launch prices; text in, audio out).
  speech_input_per_million_tokens: 0.5,
  speech_output_per_million_tokens: 9,
};
export type Prices = typeof DEFAULT_PRICES;

export function prices(): Prices {
  const raw = config().PRICES_JSON;
  return { ...DEFAULT_PRICES, ...(raw ? (JSON.parse(raw) as Partial<Prices>) : {}) };
}

/** The registry with the prices in force: what `GET /models` lists and the ledger charges. */
export const pricedModels = (): ModelEntry[] => modelTable(config(), prices());

/**
 * What one second of a video model costs: its registry row's price; a model no route or vendor
 * lists (a job from before the registry) is priced as Veo.
 */
export function videoPerSecond(model: string | undefined, p: Prices = prices()): number {
  const row = model ? videoModelRow(config(), p, model) : undefined;
  return row && "per_second_usd" in row.price ? row.price.per_second_usd : p.video_per_second;
}

export interface SpendUnits {
  input_tokens?: number;
  output_tokens?: number;
  images?: number;
  seconds?: number;
  /** Characters of text spoken (speech). */
  characters?: number;
}

/** The estimated cost of a call (a video's by its model); offline providers cost nothing. */
export function costOf(
  kind: SpendKind,
  provider: string,
  units: SpendUnits,
  model?: string,
): number {
  if (provider === "offline") return 0;
  const p = prices();
  const perMillion = (n = 0, price = 0) => (n / 1_000_000) * price;
  switch (kind) {
    case "llm":
      return (
        perMillion(units.input_tokens, p.llm_input_per_million_tokens) +
        perMillion(units.output_tokens, p.llm_output_per_million_tokens)
      );
    case "vision":
      return perMillion(units.input_tokens, p.vision_input_per_million_tokens);
    case "image":
      return (units.images ?? 1) * p.image;
    case "video":
      return (units.seconds ?? 0) * videoPerSecond(model, p);
    case "speech":
      return (
        perMillion(units.input_tokens, p.speech_input_per_million_tokens) +
        perMillion(
          units.output_tokens || (units.seconds ?? 0) * AUDIO_TOKENS_PER_SECOND,
          p.speech_output_per_million_tokens,
        )
      );
  }
}
