import type { Config } from "../config.ts";

/**
 * Speech runs offline (espeak-ng, free) when no Google key is set: Gemini TTS uses the same key
 * as the image models. A plain function, so estimates can ask without loading any adapter.
 */
export const isSpeechOffline = (cfg: Pick<Config, "GOOGLE_API_KEY" | "GEMINI_API_KEY">) =>
  !(cfg.GOOGLE_API_KEY ?? cfg.GEMINI_API_KEY);
