import type { Config } from "../../config.ts";
import { sharedProvider } from "../installed.ts";
import type { TextProvider } from "../types.ts";

/** The configured LLM: OpenRouter with a key (the `openai` SDK), offline otherwise. */
export async function createTextProvider(cfg: Config): Promise<TextProvider> {
  return cfg.offline.text
    ? (await import("./offline.ts")).offlineText()
    : (await import("./openrouter.ts")).openRouterText(cfg);
}

export const textProvider = (): Promise<TextProvider> => sharedProvider("text", createTextProvider);
