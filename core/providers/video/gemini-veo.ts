import { GenerateVideosOperation } from "@google/genai";
import type { Config } from "../../config.ts";
import { ProviderError } from "../errors.ts";
import { callGemini, geminiClient } from "../image/gemini.ts";
import type { VideoProvider } from "../types.ts";
import {
  fetchVideo,
  readVideosOperation,
  sameOrigin,
  takeInlineVideo,
  throughBase,
} from "./operation.ts";
import { paidStart, startAnswerFailure } from "./paid-start.ts";
import { veoInstance } from "./veo-instance.ts";

const NAME = "gemini-veo";

/**
 * A per-request ("dynamic") completion callback. Wire format confirmed 2026-08 from
 * googleapis/js-genai `src/converters/_models_converters.ts` (generateVideosConfigToMldev copies
 * `GenerateVideosConfig.webhookConfig` to the root of the predictLongRunning body, beside
 * `instances` and `parameters`) and its `WebhookConfig` type {uris?: string[], userMetadata?:
 * object} (https://googleapis.github.io/js-genai/release_docs/interfaces/types.WebhookConfig.html);
 * the Gemini API webhooks guide (https://ai.google.dev/gemini-api/docs/webhooks) describes these
 * dynamic webhooks for video generation (event `video.generated`), delivered at least once and
 * signed with Google's keys. We do not read the signature or the body: the URL's own token
 * authenticates the call and the job re-checks the operation itself (core/jobs/webhook.ts).
 */
const webhookConfigOf = (webhook: { uri: string; metadata: Record<string, string> } | undefined) =>
  webhook ? { webhookConfig: { uris: [webhook.uri], userMetadata: webhook.metadata } } : {};

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
    async start({ prompt, aspectRatio, durationSeconds, resolution, webhook, ...images }) {
      // One request, never retried here: a second one could be a second paid generation.
      const res = await paidStart(NAME, () =>
        fetch(`${base}/v1beta/models/${model}:predictLongRunning`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-goog-api-key": key },
          body: JSON.stringify({
            instances: [veoInstance({ prompt, ...images })],
            parameters: {
              sampleCount: 1,
              durationSeconds,
              aspectRatio,
              resolution,
              personGeneration: "allow_adult",
            },
            ...webhookConfigOf(webhook),
          }),
          signal: AbortSignal.timeout(cfg.PROVIDER_TIMEOUT_MS),
        }),
      );
      const body = await paidStart(NAME, async () => {
        const text = await res.text();
        try {
          return JSON.parse(text) as { name?: string; error?: { message?: string } };
        } catch {
          return { error: { message: text.slice(0, 200) || `HTTP ${res.status}` } };
        }
      });
      if (!res.ok) {
        const hint = res.status === 404 ? " (check VEO_MODEL)" : "";
        throw startAnswerFailure(
          NAME,
          res.status,
          `${body.error?.message ?? `HTTP ${res.status}`}${hint}`,
        );
      }
      if (!body.name) {
        throw new ProviderError(
          NAME,
          "uncertain",
          "the start was accepted without an operation name; the video may have started",
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
      const url = throughBase(uri, base);
      // The key goes only to the configured origin (or Google's own), never to a signed URL.
      const headers: Record<string, string> = sameOrigin(url, base)
        ? { "x-goog-api-key": key }
        : {};
      await fetchVideo(NAME, url, headers, destination);
    },
  };
}
