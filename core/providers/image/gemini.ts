import { ApiError, type GenerateContentResponse, GoogleGenAI, type Part } from "@google/genai";
import { z } from "zod";
import type { Config } from "../../config.ts";
import { log } from "../../log.ts";
import { withDeadline } from "../deadline.ts";
import { failureOfStatus, isTimeout, ProviderError } from "../errors.ts";
import { readJsonReply } from "../text/json-reply.ts";
import type { AssetDraft, Generated, ImageFile, ImageProvider, Usage } from "../types.ts";

const NAME = "gemini";

/** Finish reasons that mean "refused by a safety or policy filter" rather than "failed". */
const BLOCKED_FINISH = new Set([
  "SAFETY",
  "IMAGE_SAFETY",
  "PROHIBITED_CONTENT",
  "IMAGE_PROHIBITED_CONTENT",
  "BLOCKLIST",
  "SPII",
  "RECITATION",
]);

const AssetDraftSchema = z.object({
  name: z.string().min(1).max(200),
  description: z.string().max(4_000),
  tags: z.array(z.string().max(100)).max(20),
});

const DESCRIBE_PROMPT =
  "Describe this image as a reusable asset for a storyboard (a character, scene or prop). " +
  'Reply with JSON: {"name": short name, "description": one or two sentences of what it looks like, "tags": 3-8 short tags}.';

/** The client is pinned to v1beta: 3.x defaults to v1, where image output and Veo are missing. */
export function geminiClient(cfg: Config): GoogleGenAI {
  return new GoogleGenAI({
    vertexai: false,
    apiKey: cfg.GOOGLE_API_KEY ?? cfg.GEMINI_API_KEY,
    apiVersion: "v1beta",
    httpOptions: {
      ...(cfg.GEMINI_BASE_URL ? { baseUrl: cfg.GEMINI_BASE_URL } : {}),
      timeout: cfg.PROVIDER_TIMEOUT_MS,
      retryOptions: { attempts: cfg.PROVIDER_RETRIES + 1, initialDelay: 1, maxDelay: 4 },
    },
  });
}

/** Google's error bodies are JSON text inside ApiError.message; keep only the human part. */
function apiMessage(error: ApiError): string {
  try {
    const body = JSON.parse(error.message) as { error?: { message?: string; status?: string } };
    return [body.error?.status, body.error?.message].filter(Boolean).join(": ") || error.message;
  } catch {
    return error.message;
  }
}

/** An SDK failure as a typed provider error; a missing model names `setting` to check. */
export function geminiFailure(cfg: Config, error: unknown, setting: string): ProviderError {
  if (error instanceof ApiError) {
    const failure = failureOfStatus(error.status);
    const hint = failure === "model_not_found" ? ` (check ${setting})` : "";
    return new ProviderError(NAME, failure, `${apiMessage(error)}${hint}`);
  }
  if (isTimeout(error)) {
    return new ProviderError(NAME, "timeout", `no answer within ${cfg.PROVIDER_TIMEOUT_MS} ms`);
  }
  return new ProviderError(NAME, "unavailable", (error as Error).message);
}

export async function callGemini<T>(cfg: Config, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw geminiFailure(cfg, error, "GEMINI_IMAGE_MODEL / GEMINI_VISION_MODEL");
  }
}

/**
 * One image or vision call, its retries included, under one deadline (PROVIDER_TIMEOUT_MS). The
 * SDK's backoff sleep does not watch the signal, but no request leaves once it has fired.
 */
const underDeadline = <T>(cfg: Config, call: (signal: AbortSignal) => Promise<T>) =>
  withDeadline(NAME, cfg.PROVIDER_TIMEOUT_MS, (deadline) =>
    callGemini(cfg, () => call(deadline.signal)),
  );

const usageOf = (res: GenerateContentResponse): Usage => ({
  input_tokens: res.usageMetadata?.promptTokenCount ?? 0,
  output_tokens: res.usageMetadata?.candidatesTokenCount ?? 0,
});

/** Refusals do not throw in the SDK: they arrive as a block reason or a finish reason. */
function refusal(res: GenerateContentResponse): ProviderError | undefined {
  const feedback = res.promptFeedback;
  if (feedback?.blockReason) {
    return new ProviderError(
      NAME,
      "blocked",
      `prompt blocked (${feedback.blockReason})${feedback.blockReasonMessage ? `: ${feedback.blockReasonMessage}` : ""}`,
      [feedback.blockReason],
    );
  }
  const candidate = res.candidates?.[0];
  const reason = candidate?.finishReason;
  if (reason && BLOCKED_FINISH.has(reason)) {
    const categories = (candidate.safetyRatings ?? [])
      .filter((r) => r.blocked)
      .map((r) => String(r.category));
    return new ProviderError(
      NAME,
      "blocked",
      `output blocked (${reason})${candidate.finishMessage ? `: ${candidate.finishMessage}` : ""}`,
      [reason, ...categories],
    );
  }
  return undefined;
}

const inline = (file: ImageFile): Part => ({
  inlineData: { mimeType: file.mimeType, data: Buffer.from(file.bytes).toString("base64") },
});

/** Image generation and image reading with Gemini models through `@google/genai`. */
export function geminiImage(cfg: Config): ImageProvider {
  const ai = geminiClient(cfg);
  const model = cfg.GEMINI_IMAGE_MODEL;
  return {
    name: NAME,
    model,
    offline: false,
    async generate({ prompt, references, aspectRatio }): Promise<Generated<ImageFile>> {
      const res = await underDeadline(cfg, (signal) =>
        ai.models.generateContent({
          model,
          contents: [{ role: "user", parts: [{ text: prompt }, ...references.map(inline)] }],
          config: {
            responseModalities: ["TEXT", "IMAGE"],
            imageConfig: { aspectRatio },
            abortSignal: signal,
          },
        }),
      );
      const blocked = refusal(res);
      if (blocked) throw blocked;
      const candidate = res.candidates?.[0];
      const image = candidate?.content?.parts?.find(
        (p) => p.inlineData?.data && p.inlineData.mimeType?.startsWith("image/"),
      )?.inlineData;
      if (!image?.data) {
        throw new ProviderError(
          NAME,
          "invalid_output",
          `no image in the reply (finishReason ${candidate?.finishReason ?? "none"})`,
          candidate?.finishReason ? [candidate.finishReason] : [],
        );
      }
      const usage = usageOf(res);
      log.info("image generated", {
        provider: NAME,
        model,
        references: references.length,
        ...usage,
      });
      return {
        value: {
          bytes: Buffer.from(image.data, "base64"),
          mimeType: image.mimeType ?? "image/png",
        },
        provider: NAME,
        model,
        usage,
      };
    },
    async describe(file): Promise<Generated<AssetDraft>> {
      const visionModel = cfg.GEMINI_VISION_MODEL;
      const res = await underDeadline(cfg, (signal) =>
        ai.models.generateContent({
          model: visionModel,
          contents: [{ role: "user", parts: [{ text: DESCRIBE_PROMPT }, inline(file)] }],
          config: {
            responseMimeType: "application/json",
            responseJsonSchema: z.toJSONSchema(AssetDraftSchema),
            abortSignal: signal,
          },
        }),
      );
      const blocked = refusal(res);
      if (blocked) throw blocked;
      const parsed = readJsonReply(
        AssetDraftSchema,
        res.text ?? "",
        res.candidates?.[0]?.finishReason === "MAX_TOKENS",
      );
      if (!parsed.ok) throw new ProviderError(NAME, "invalid_output", parsed.problem);
      return { value: parsed.value, provider: NAME, model: visionModel, usage: usageOf(res) };
    },
  };
}
