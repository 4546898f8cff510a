import type { VideoVendor } from "../../../models/types.ts";
import { models } from "./models.ts";

/** Kling AI: its models for the registry; the adapter is loaded only when one is used. */
export const vendor: VideoVendor = {
  provider: "kling",
  models,
  create: async (cfg, id) => (await import("./adapter.ts")).klingVideo(cfg, id),
};
