import { GenerateVideosOperation, GoogleGenAI, VideoGenerationReferenceType } from "@google/genai";
import { type AuthClient, GoogleAuth } from "google-auth-library";
import type { Config } from "../../config.ts";
import { ProviderError } from "../errors.ts";
import { callGemini } from "../image/gemini.ts";
import type { ImageFile, VideoProvider } from "../types.ts";
import { fetchVideo, readVideosOperation, takeInlineVideo } from "./operation.ts";
import { paidStart } from "./paid-start.ts";

const NAME = "vertex-veo";
const SCOPES = ["https://www.googleapis.com/auth/cloud-platform"];

const sdkImage = (image: ImageFile) => ({
  imageBytes: Buffer.from(image.bytes).toString("base64"),
  mimeType: image.mimeType,
});

/**
 * Veo 3.1 GA on Vertex AI through the SDK's own generateVideos / getVideosOperation (Vertex mode
 * polls with fetchPredictOperation). Credentials: the service-account JSON from the
 * GOOGLE_CREDENTIALS_JSON secret, else the platform's default credentials.
 */
export function vertexVeo(cfg: Config, authClient?: AuthClient): VideoProvider {
  if (!cfg.VERTEX_PROJECT) throw new Error("The vertex video route needs VERTEX_PROJECT");
  const credentials = cfg.GOOGLE_CREDENTIALS_JSON
    ? JSON.parse(cfg.GOOGLE_CREDENTIALS_JSON)
    : undefined;
  // An explicit client (workload identity, tests) wins over key JSON and default credentials.
  const authOptions = authClient
    ? { authClient }
    : { ...(credentials ? { credentials } : {}), scopes: SCOPES };
  const ai = new GoogleGenAI({
    vertexai: true,
    project: cfg.VERTEX_PROJECT,
    location: cfg.VERTEX_LOCATION,
    googleAuthOptions: authOptions,
    httpOptions: {
      ...(cfg.VERTEX_BASE_URL ? { baseUrl: cfg.VERTEX_BASE_URL } : {}),
      timeout: cfg.PROVIDER_TIMEOUT_MS,
      retryOptions: { attempts: 1 },
    },
  });
  const model = cfg.VERTEX_VEO_MODEL;
  return {
    name: NAME,
    model,
    offline: false,
    // No completion callback here: the SDK refuses `webhookConfig` in Vertex mode ("only supported
    // in Gemini Developer API mode", googleapis/js-genai generateVideosConfigToVertex); Vertex
    // offers a Pub/Sub topic instead. This route relies on polling (core/jobs/polling.ts).
    async start({
      image,
      lastFrame,
      referenceImages,
      prompt,
      aspectRatio,
      durationSeconds,
      resolution,
    }) {
      // One attempt only (retryOptions above): a retried start could be a second paid generation.
      const op = await paidStart(NAME, () =>
        ai.models.generateVideos({
          model,
          source: { prompt, ...(image ? { image: sdkImage(image) } : {}) },
          config: {
            numberOfVideos: 1,
            durationSeconds,
            aspectRatio,
            resolution,
            personGeneration: "allow_adult",
            // Continuity (CAPABILITIES.md): the SDK puts both into the request's instance.
            ...(lastFrame ? { lastFrame: sdkImage(lastFrame) } : {}),
            ...(referenceImages?.length
              ? {
                  referenceImages: referenceImages.map((r) => ({
                    image: sdkImage(r),
                    referenceType: VideoGenerationReferenceType.ASSET,
                  })),
                }
              : {}),
          },
        }),
      );
      if (!op.name) {
        throw new ProviderError(
          NAME,
          "uncertain",
          "the start was accepted without an operation name; the video may have started",
        );
      }
      return op.name;
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
    async download(ref, destination) {
      if (await takeInlineVideo(ref, destination)) return;
      // gs://bucket/object, when the project writes outputs to Cloud Storage.
      const match = ref.match(/^gs:\/\/([^/]+)\/(.+)$/);
      if (!match)
        throw new ProviderError(
          NAME,
          "invalid_output",
          `unexpected video reference ${ref.slice(0, 100)}`,
        );
      const token = await new GoogleAuth(authOptions).getAccessToken();
      const url = `https://storage.googleapis.com/storage/v1/b/${match[1]}/o/${encodeURIComponent(match[2] as string)}?alt=media`;
      await fetchVideo(NAME, url, { authorization: `Bearer ${token}` }, destination);
    },
  };
}
