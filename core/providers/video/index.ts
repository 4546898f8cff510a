import type { Config } from "../../config.ts";
import { sharedProvider } from "../installed.ts";
import type { VideoProvider } from "../types.ts";

/** Video access is a moving target (see README): one small adapter per route. */
export async function createVideoProvider(cfg: Config): Promise<VideoProvider> {
  switch (cfg.videoRoute) {
    case "vertex":
      return (await import("./vertex-veo.ts")).vertexVeo(cfg);
    case "interactions":
      return (await import("./interactions.ts")).interactionsVideo(cfg);
    case "gemini":
      return (await import("./gemini-veo.ts")).geminiVeo(cfg);
    default:
      return (await import("./offline.ts")).offlineVideo(cfg);
  }
}

export const videoProvider = (): Promise<VideoProvider> =>
  sharedProvider("video", createVideoProvider);
