import { vendor as ark } from "../providers/video/ark/index.ts";
import { vendor as dashscope } from "../providers/video/dashscope/index.ts";
import { vendor as kling } from "../providers/video/kling/index.ts";
import { vendor as zhipu } from "../providers/video/zhipu/index.ts";
import type { VideoVendor } from "./types.ts";

/**
 * The second-wave video vendors (CONTRACT, "Models"). Each vendor's index only lists its models
 * and imports its adapter when a model is used, so this list keeps SDK-free routes light.
 */
export const videoVendors: readonly VideoVendor[] = [dashscope, zhipu, kling, ark];
