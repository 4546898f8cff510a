import { renderCard } from "../../../core/providers/offline/card.ts";
import { type Fake, type Recorded, type Reply, startFake } from "./server.ts";

/** Canned answers of the Gemini API `generateContent`, in its real JSON shape. */
export const geminiReplies = {
  image(png: Uint8Array, text = "Here is the image.") {
    return {
      candidates: [
        {
          content: {
            role: "model",
            parts: [
              { text },
              { inlineData: { mimeType: "image/png", data: Buffer.from(png).toString("base64") } },
            ],
          },
          finishReason: "STOP",
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 1290, totalTokenCount: 1300 },
      modelVersion: "fake",
      responseId: "fake-response",
    };
  },
  json(value: unknown) {
    return {
      candidates: [
        {
          content: { role: "model", parts: [{ text: JSON.stringify(value) }] },
          finishReason: "STOP",
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 300, candidatesTokenCount: 40, totalTokenCount: 340 },
    };
  },
  blockedPrompt: (reason = "SAFETY") => ({
    promptFeedback: { blockReason: reason, blockReasonMessage: "The prompt was blocked." },
    usageMetadata: { promptTokenCount: 10, totalTokenCount: 10 },
  }),
  finished: (finishReason: string) => ({
    candidates: [{ content: { role: "model", parts: [] }, finishReason, index: 0 }],
  }),
};

export const googleError = (code: number, status: string, message: string): Reply => ({
  status: code,
  body: { error: { code, message, status } },
});

export interface FakeGemini extends Fake {
  /** Replies for the next generateContent calls; when empty, a default image or JSON reply. */
  next: unknown[];
  generateCalls(): Recorded[];
}

/** Gemini API (v1beta, API-key mode) on 127.0.0.1. */
export async function startFakeGemini(apiKey = "test-google-key"): Promise<FakeGemini> {
  const next: unknown[] = [];
  const png = renderCard({
    width: 64,
    height: 36,
    title: "fake",
    prompt: "fake gemini",
    label: "FAKE",
    seed: "g",
  });
  const fake = await startFake((req) => {
    const match = req.path.match(/^\/v1beta\/models\/([^/:]+):generateContent/);
    if (!match) return googleError(404, "NOT_FOUND", `No route ${req.method} ${req.path}`);
    if (req.headers["x-goog-api-key"] !== apiKey) {
      return googleError(
        400,
        "INVALID_ARGUMENT",
        "API key not valid. Please pass a valid API key.",
      );
    }
    if (next.length) return { status: 200, body: next.shift() };
    const wantsJson = req.json?.generationConfig?.responseMimeType === "application/json";
    return {
      status: 200,
      body: wantsJson
        ? geminiReplies.json({
            name: "Orange cat",
            description: "A small orange cat.",
            tags: ["cat", "animal"],
          })
        : geminiReplies.image(png),
    };
  });
  return {
    ...fake,
    next,
    generateCalls: () => fake.requests.filter((r) => r.path.includes(":generateContent")),
  };
}
