import type { Config } from "../../config.ts";
import { config } from "../../config.ts";
import { AppError } from "../../errors.ts";
import { OFFLINE_VIDEO, veoRoutes } from "../../models/registry.ts";
import { videoVendors } from "../../models/vendors.ts";
import { sharedProvider } from "../installed.ts";
import type { VideoProvider } from "../types.ts";
import { activeVideoModel } from "./capabilities.ts";

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

/** The adapter of the configured route (installed providers replace it in tests). */
export const videoProvider = (): Promise<VideoProvider> =>
  sharedProvider("video", createVideoProvider);

/** Adapters of models other than the configured route's, made once per model id and config. */
const byModel = new Map<string, Promise<VideoProvider>>();
let madeWith: Config | undefined;

async function createFor(cfg: Config, modelId: string): Promise<VideoProvider> {
  if (modelId === OFFLINE_VIDEO || modelId === "offline")
    return (await import("./offline.ts")).offlineVideo(cfg);
  const veo = veoRoutes(cfg).find((r) => r.model === modelId);
  if (veo) return createVideoProvider({ ...cfg, videoRoute: veo.route });
  const vendor = videoVendors.find((v) => v.models.some((m) => m.id === modelId));
  if (vendor) return vendor.create(cfg, modelId);
  throw new AppError(400, "unknown_model", `No video route or vendor makes ${modelId}`);
}

/**
 * The adapter for a job's model: the configured route for its own model (so an existing job
 * and a project that picked nothing behave as before), another Veo route for that route's model,
 * the vendor's adapter for a vendor's model, ffmpeg for the offline one.
 */
export async function videoProviderFor(modelId: string | undefined): Promise<VideoProvider> {
  const cfg = config();
  if (!modelId || modelId === activeVideoModel(cfg)) return videoProvider();
  // The job records the model really called: a route adapter (or an installed one) that calls it
  // is the one that started the job.
  const route = await videoProvider().catch(() => undefined);
  if (route?.model === modelId) return route;
  if (madeWith !== cfg) byModel.clear(); // the configuration was read again (tests switch it)
  madeWith = cfg;
  let pending = byModel.get(modelId);
  if (!pending) {
    const attempt = createFor(cfg, modelId);
    byModel.set(modelId, attempt);
    attempt.catch(() => byModel.delete(modelId)); // a failed creation is tried again next time
    pending = attempt;
  }
  return pending;
}
