import { GenerateVideosOperation } from "@google/genai";
import type { Config } from "../../config.ts";
import { failureOfStatus, isTimeout, ProviderError } from "../errors.ts";
import { callGemini, geminiClient } from "../image/gemini.ts";
import type { VideoProvider } from "../types.ts";
import { fetchVideo, readVideosOperation, takeInlineVideo } from "./operation.ts";

const NAME = "gemini-veo";
const DEFAULT_BASE = "https://generativelanguage.googleapis.com";

/**
 * Veo through the Gemini API with an API key (also what relays behind GEMINI_BASE_URL serve).
 * The start request is sent by hand: @google/genai 3.1 refuses `generateVideos` in API-key mode;
 * checking resumes from the operation name alone through the SDK.
 */
export function geminiVeo(cfg: Config): VideoProvider {
  const key = (cfg.GOOGLE_API_KEY ?? cfg.GEMINI_API_KEY) as string;
  const base = (cfg.GEMINI_BASE_URL ?? DEFAULT_BASE).replace(/\/+$/, "");
  const ai = geminiClient(cfg);
  const model = cfg.VEO_MODEL;
  return {
    name: NAME,
    model,
    offline: false,
    async start({ image, prompt, aspectRatio, durationSeconds, resolution }) {
      let res: Response;
      try {
        res = await fetch(`${base}/v1beta/models/${model}:predictLongRunning`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-goog-api-key": key },
          body: JSON.stringify({
            instances: [
              {
                prompt,
                image: {
                  bytesBase64Encoded: Buffer.from(image.bytes).toString("base64"),
                  mimeType: image.mimeType,
                },
              },
            ],
            parameters: {
              sampleCount: 1,
              durationSeconds,
              aspectRatio,
              resolution,
              personGeneration: "allow_adult",
            },
          }),
          signal: AbortSignal.timeout(cfg.PROVIDER_TIMEOUT_MS),
        });
      } catch (error) {
        if (isTimeout(error))
          throw new ProviderError(NAME, "timeout", "no answer to the start request");
        throw new ProviderError(NAME, "unavailable", (error as Error).message);
      }
      const body = (await res.json().catch(() => ({}))) as {
        name?: string;
        error?: { message?: string };
      };
      if (!res.ok || !body.name) {
        const failure = res.ok ? "invalid_output" : failureOfStatus(res.status);
        const hint = failure === "model_not_found" ? " (check VEO_MODEL)" : "";
        throw new ProviderError(
          NAME,
          failure,
          `${body.error?.message ?? `HTTP ${res.status}`}${hint}`,
        );
      }
      return body.name;
    },
    async check(name) {
      return readVideosOperation(
        await callGemini(cfg, () =>
          ai.operations.getVideosOperation({
            operation: Object.assign(new GenerateVideosOperation(), { name }),
          }),
        ),
      );
    },
    async download(uri, destination) {
      if (await takeInlineVideo(uri, destination)) return;
      await fetchVideo(NAME, uri, { "x-goog-api-key": key }, destination);
    },
  };
}
