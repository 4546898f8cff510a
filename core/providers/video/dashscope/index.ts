import type { VideoVendor } from "../../../models/types.ts";
import { models } from "./models.ts";

/** Alibaba Model Studio (DashScope) Wan video; the adapter loads only when a model is used. */
export const vendor: VideoVendor = {
  provider: "dashscope",
  models,
  create: async (cfg, id) => (await import("./adapter.ts")).dashscopeVideo(cfg, id),
};
