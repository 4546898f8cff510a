import { type Config, config } from "../config.ts";
import type { ImageProvider, Storage, TextProvider, VideoProvider } from "./types.ts";

export interface Providers {
  text: TextProvider;
  image: ImageProvider;
  storage: Storage;
  video: VideoProvider;
}

/**
 * The providers the configuration selects: live ones where a key is set, offline ones otherwise.
 * Adapters are imported on demand so a handler only loads the SDKs it actually uses.
 */
export async function createProviders(cfg: Config): Promise<Providers> {
  const text = cfg.offline.text
    ? (await import("./text/offline.ts")).offlineText()
    : (await import("./text/openrouter.ts")).openRouterText(cfg);
  const image = cfg.offline.image
    ? (await import("./image/offline.ts")).offlineImage(cfg.GEMINI_IMAGE_MODEL)
    : (await import("./image/gemini.ts")).geminiImage(cfg);
  const storage = cfg.offline.storage
    ? (await import("../storage/local.ts")).localStorage(cfg)
    : (await import("../storage/qiniu.ts")).qiniuStorage(cfg);
  const video = await videoProvider(cfg);
  return { text, image, storage, video };
}

/** Video access is a moving target (see README): one small adapter per route. */
async function videoProvider(cfg: Config): Promise<VideoProvider> {
  switch (cfg.videoRoute) {
    case "vertex":
      return (await import("./video/vertex-veo.ts")).vertexVeo(cfg);
    case "interactions":
      return (await import("./video/interactions.ts")).interactionsVideo(cfg);
    case "gemini":
      return (await import("./video/gemini-veo.ts")).geminiVeo(cfg);
    default:
      return (await import("./video/offline.ts")).offlineVideo(cfg);
  }
}

let shared: Promise<Providers> | undefined;

export function providers(): Promise<Providers> {
  shared ??= createProviders(config());
  shared.catch(() => {
    shared = undefined;
  });
  return shared;
}

/** Tests and the local server install their own set (e.g. live adapters pointed at fakes). */
export function useProviders(next: Providers | undefined): void {
  shared = next ? Promise.resolve(next) : undefined;
}
