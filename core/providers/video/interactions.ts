import { writeFile } from "node:fs/promises";
import type { Config } from "../../config.ts";
import { ProviderError } from "../errors.ts";
import { callGemini, geminiClient } from "../image/gemini.ts";
import type { VideoCheck, VideoProvider } from "../types.ts";
import { fetchVideo, GEMINI_ORIGIN, sameOrigin, throughBase } from "./operation.ts";
import { paidStart } from "./paid-start.ts";

const NAME = "gemini-interactions";
const FAILED = new Set(["failed", "cancelled", "incomplete", "budget_exceeded"]);

/**
 * Video through the Gemini Interactions API, where current Gemini docs steer video generation:
 * a background interaction created once, then read by id until it has an output video.
 */
export function interactionsVideo(cfg: Config): VideoProvider {
  const ai = geminiClient(cfg);
  const key = (cfg.GOOGLE_API_KEY ?? cfg.GEMINI_API_KEY) as string;
  const model = cfg.INTERACTIONS_VIDEO_MODEL;
  const base = cfg.GEMINI_BASE_URL ?? GEMINI_ORIGIN;
  return {
    name: NAME,
    model,
    offline: false,
    async start({ image, prompt, aspectRatio, durationSeconds, resolution }) {
      // Exactly one request: the SDK's Interactions client retries 408/409/429/5xx and broken
      // connections four times by default, and each retry could be another paid generation.
      const interaction = await paidStart(NAME, () =>
        ai.interactions.create(
          {
            model,
            input: [
              { type: "text", text: prompt },
              // The first frame only: this API has no last-frame or reference inputs
              // (capabilities.ts refuses them before a start gets here).
              ...(image
                ? [
                    {
                      type: "image",
                      data: Buffer.from(image.bytes).toString("base64"),
                      mime_type: image.mimeType,
                    },
                  ]
                : []),
            ],
            response_format: [
              {
                type: "video",
                aspect_ratio: aspectRatio,
                duration: `${durationSeconds}s`,
                resolution,
                delivery: "uri",
              },
            ],
            background: true,
          } as never,
          { retries: { strategy: "none" } } as never,
        ),
      );
      const id = (interaction as { id?: string }).id;
      if (!id) {
        throw new ProviderError(
          NAME,
          "uncertain",
          "the interaction was accepted without an id; the video may have started",
        );
      }
      return id;
    },
    async check(id): Promise<VideoCheck> {
      const interaction = (await callGemini(cfg, () => ai.interactions.get(id))) as {
        status?: string;
        output_video?: { uri?: string; data?: string };
        errors?: { message?: string }[];
      };
      if (interaction.status && FAILED.has(interaction.status)) {
        const message = interaction.errors?.[0]?.message ?? `interaction ${interaction.status}`;
        const blocked = /safety|blocked|policy/i.test(message);
        return { state: "failed", failure: blocked ? "blocked" : "operation_failed", message };
      }
      if (interaction.status !== "completed") return { state: "pending" };
      const video = interaction.output_video;
      if (video?.uri) return { state: "done", video: video.uri };
      if (video?.data) return { state: "done", video: `data:video/mp4;base64,${video.data}` };
      return {
        state: "failed",
        failure: "operation_failed",
        message: "the interaction completed without a video",
      };
    },
    async download(ref, destination) {
      if (ref.startsWith("data:")) {
        await writeFile(destination, Buffer.from(ref.slice(ref.indexOf(",") + 1), "base64"));
        return;
      }
      const url = throughBase(ref, base);
      // The key goes only to the configured origin (or Google's own), never to a signed URL.
      const headers: Record<string, string> = sameOrigin(url, base)
        ? { "x-goog-api-key": key }
        : {};
      await fetchVideo(NAME, url, headers, destination);
    },
  };
}
