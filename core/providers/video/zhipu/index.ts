import type { VideoVendor } from "../../../models/types.ts";
import { models } from "./models.ts";

/** Zhipu BigModel (CogVideoX, Vidu 2): data here, the adapter loaded only when a job needs it. */
export const vendor: VideoVendor = {
  provider: "zhipu",
  models,
  create: async (cfg, id) => (await import("./adapter.ts")).zhipuVideo(cfg, id),
};
