import type { VideoVendor } from "../../../models/types.ts";
import { models } from "./models.ts";

/** Volcengine Ark (Seedance): the adapter is loaded only when a Seedance model is used. */
export const vendor: VideoVendor = {
  provider: "ark",
  models,
  create: async (cfg, id) => (await import("./adapter.ts")).arkVideo(cfg, id),
};
