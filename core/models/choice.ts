import { config } from "../config.ts";
import { AppError } from "../errors.ts";
import { prices } from "./pricing.ts";
import { modelsOf, videoModelRow } from "./registry.ts";
import type { ModelEntry } from "./types.ts";

/**
 * The video model a shot is made with, checked against the registry: an id no route or vendor
 * makes is a 400 `unknown_model`, one whose provider is not configured a 400
 * `model_unavailable`; both name the models that can be used.
 */
export function chooseVideoModel(id: string): ModelEntry {
  const cfg = config();
  const p = prices();
  const usable = modelsOf(cfg, p, "video")
    .filter((m) => m.available(cfg))
    .map((m) => m.id);
  const row = videoModelRow(cfg, p, id);
  if (!row) {
    throw new AppError(
      400,
      "unknown_model",
      `Unknown video model ${id}; available: ${usable.join(", ")}`,
    );
  }
  if (!row.available(cfg)) {
    throw new AppError(
      400,
      "model_unavailable",
      `Video model ${id} is not available (its provider ${row.provider} is not configured); available: ${usable.join(", ")}`,
    );
  }
  return row;
}
