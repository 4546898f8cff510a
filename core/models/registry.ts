import type { Config } from "../config.ts";
import {
  activeVideoModel,
  capabilitiesOf,
  type VideoCapabilities,
} from "../providers/video/capabilities.ts";
import type { Prices } from "./pricing.ts";
import type { ModelEntry, ModelKind } from "./types.ts";
import { videoVendors } from "./vendors.ts";

/** The video routes that call Veo (or Gemini's video model), each with the model it calls. */
export type VeoRoute = "gemini" | "vertex" | "interactions";

const googleKey = (cfg: Config) => Boolean(cfg.GOOGLE_API_KEY ?? cfg.GEMINI_API_KEY);
const always = () => true;
const free = { per_1k_input_tokens_usd: 0, per_1k_output_tokens_usd: 0 };
export const OFFLINE_VIDEO = "offline-video-v1";
const perMillionTo1k = (usd: number) => usd / 1000;

/** A video model's PRICES_JSON override (`video_per_second:<model id>`), when set. */
const modelOverride = (p: Prices, id: string): number | undefined =>
  (p as Record<string, number>)[`video_per_second:${id}`];

/** A Veo route is usable when it is the configured one, or its credentials are set. */
const routeReady = (route: VeoRoute) => (cfg: Config) =>
  cfg.videoRoute === route || (route === "vertex" ? Boolean(cfg.VERTEX_PROJECT) : googleKey(cfg));

/** Each Veo route and the model id it calls, the configured route first. */
export function veoRoutes(cfg: Config): { route: VeoRoute; model: string }[] {
  const routes: { route: VeoRoute; model: string }[] = [
    { route: "gemini", model: cfg.VEO_MODEL },
    { route: "vertex", model: cfg.VERTEX_VEO_MODEL },
    { route: "interactions", model: cfg.INTERACTIONS_VIDEO_MODEL },
  ];
  return routes.sort(
    (a, b) => Number(b.route === cfg.videoRoute) - Number(a.route === cfg.videoRoute),
  );
}

/**
 * Every model in one table (CONTRACT, "Models"): what `GET /models` lists, what a project may
 * pick, and the per-second price the ledger and the estimates charge for a video model. Built
 * from the configuration and the prices in force (PRICES_JSON overrides apply).
 */
export function modelTable(cfg: Config, p: Prices): ModelEntry[] {
  const veoPrice = { per_second_usd: p.video_per_second };
  const seen = new Set<string>();
  const veo: ModelEntry[] = [];
  for (const { route, model } of veoRoutes(cfg)) {
    if (seen.has(model)) continue; // one id on two routes: the configured (first) one answers
    seen.add(model);
    veo.push({
      id: model,
      kind: "video",
      provider: route,
      available: routeReady(route),
      price: veoPrice,
      capabilities: capabilitiesOf(model),
    });
  }
  const vendors = videoVendors.flatMap((v) => v.models);
  // A video model's price may be set by id in PRICES_JSON (`video_per_second:<model id>`).
  const priced = (m: ModelEntry): ModelEntry => {
    const override = m.kind === "video" ? modelOverride(p, m.id) : undefined;
    return override === undefined ? m : { ...m, price: { per_second_usd: override } };
  };
  const table: ModelEntry[] = [
    {
      id: cfg.OPENROUTER_MODEL,
      kind: "text",
      provider: "openrouter",
      available: (c) => Boolean(c.OPENROUTER_API_KEY),
      price: {
        per_1k_input_tokens_usd: perMillionTo1k(p.llm_input_per_million_tokens),
        per_1k_output_tokens_usd: perMillionTo1k(p.llm_output_per_million_tokens),
      },
    },
    { id: "offline-text-v1", kind: "text", provider: "offline", available: always, price: free },
    {
      id: cfg.GEMINI_IMAGE_MODEL,
      kind: "image",
      provider: "gemini",
      available: googleKey,
      price: { per_image_usd: p.image },
    },
    {
      id: "offline-image-v1",
      kind: "image",
      provider: "offline",
      available: always,
      price: { per_image_usd: 0 },
    },
    ...veo,
    ...vendors,
    {
      id: OFFLINE_VIDEO,
      kind: "video",
      provider: "offline",
      available: always,
      price: { per_second_usd: 0 },
      capabilities: capabilitiesOf(OFFLINE_VIDEO),
    },
    {
      id: cfg.GEMINI_TTS_MODEL,
      kind: "speech",
      provider: "gemini",
      available: googleKey,
      price: {
        per_1k_input_tokens_usd: perMillionTo1k(p.speech_input_per_million_tokens),
        per_1k_output_tokens_usd: perMillionTo1k(p.speech_output_per_million_tokens),
      },
    },
    { id: "espeak-ng-1.0.2", kind: "speech", provider: "offline", available: always, price: free },
  ];
  return table.map(priced);
}

const ALIASES: Record<string, string> = { offline: OFFLINE_VIDEO };

/** The models of one kind. */
export const modelsOf = (cfg: Config, p: Prices, kind: ModelKind) =>
  modelTable(cfg, p).filter((m) => m.kind === kind);

/** A video model's row by id (or alias); undefined when no route or vendor has it. */
export function videoModelRow(cfg: Config, p: Prices, id: string): ModelEntry | undefined {
  const wanted = ALIASES[id] ?? id;
  return modelsOf(cfg, p, "video").find((m) => m.id === wanted);
}

/** The model a project uses when it picked none: the one the configured video route calls. */
export const defaultVideoModel = (cfg: Config) => activeVideoModel(cfg);

/** One model as `GET /models` shows it. */
export interface ModelView {
  id: string;
  provider: string;
  available: boolean;
  capabilities: VideoCapabilities | null;
  price: ModelEntry["price"];
}

/** Every model by kind, with `available` decided by the configuration given. */
export function modelListing(cfg: Config, p: Prices): Record<ModelKind, ModelView[]> {
  const view = (m: ModelEntry): ModelView => ({
    id: m.id,
    provider: m.provider,
    available: m.available(cfg),
    capabilities: m.capabilities ?? null,
    price: m.price,
  });
  const table = modelTable(cfg, p);
  const of = (kind: ModelKind) => table.filter((m) => m.kind === kind).map(view);
  return { text: of("text"), image: of("image"), video: of("video"), speech: of("speech") };
}
