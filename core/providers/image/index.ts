import type { Config } from "../../config.ts";
import { sharedProvider } from "../installed.ts";
import type { ImageProvider } from "../types.ts";

/** The configured image and vision model: Gemini with a key (`@google/genai`), offline otherwise. */
export async function createImageProvider(cfg: Config): Promise<ImageProvider> {
  return cfg.offline.image
    ? (await import("./offline.ts")).offlineImage(cfg.GEMINI_IMAGE_MODEL)
    : (await import("./gemini.ts")).geminiImage(cfg);
}

export const imageProvider = (): Promise<ImageProvider> =>
  sharedProvider("image", createImageProvider);
