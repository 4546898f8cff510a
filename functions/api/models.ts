import { createRoute, z } from "@hono/zod-openapi";
import { config } from "../../core/config.ts";
import { prices } from "../../core/models/pricing.ts";
import { modelListing } from "../../core/models/registry.ts";
import { defineRoute, lambdaHandler } from "./app.ts";
import { json } from "./schemas.ts";
import { API_PREFIX } from "./types.ts";

const Price = z
  .union([
    z.object({ per_second_usd: z.number() }),
    z.object({ per_image_usd: z.number() }),
    z.object({ per_1k_input_tokens_usd: z.number(), per_1k_output_tokens_usd: z.number() }),
  ])
  .openapi("ModelPrice");

const Capabilities = z
  .object({
    id: z.string(),
    first_frame: z.boolean(),
    last_frame: z.boolean(),
    reference_images: z.number(),
    durations: z.array(z.number()),
    aspect_ratios: z.array(z.string()),
    resolutions: z.array(z.string()),
    audio: z.boolean(),
    hd_durations: z.array(z.number()).optional(),
    reference_durations: z.array(z.number()).optional(),
  })
  .openapi("VideoCapabilities");

const Model = z
  .object({
    id: z.string(),
    provider: z.string(),
    available: z.boolean(),
    capabilities: Capabilities.nullable(),
    price: Price,
  })
  .openapi("Model");

const Models = z
  .object({
    text: z.array(Model),
    image: z.array(Model),
    video: z.array(Model),
    speech: z.array(Model),
  })
  .openapi("Models");

/** The model registry (CONTRACT, "Models"): a plain read of one table, no SDK loaded. */
export const routes = [
  defineRoute(
    createRoute({
      method: "get",
      path: `${API_PREFIX}/models`,
      tags: ["models"],
      summary:
        "Every text, image, video and speech model: provider, availability, capabilities, price",
      description:
        "`available` is true when the model's provider is configured (or it is offline); a video model is picked with settings.video_model or generate-video's `model`. Prices are what the ledger charges.",
      responses: { 200: json(Models, "The models by kind") },
    }),
    async (c) => c.json(modelListing(config(), prices()), 200),
  ),
];

export const handler = lambdaHandler(routes);
