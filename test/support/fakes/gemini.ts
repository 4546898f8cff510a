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

/** How the next Veo operations end. */
export interface VeoBehaviour {
  /** Checks answered `done: false` before the operation finishes. */
  pendingChecks: number;
  outcome: "video" | "filtered" | "error";
}

export interface FakeGemini extends Fake {
  /** Replies for the next generateContent calls; when empty, a default image or JSON reply. */
  next: unknown[];
  veo: VeoBehaviour;
  /** MP4 bytes served for finished Veo operations. */
  video: Buffer;
  generateCalls(): Recorded[];
  /** Start requests the fake accepted (a paid generation each). */
  acceptedVideoStarts(): number;
}

/** Gemini API (v1beta, API-key mode) on 127.0.0.1. */
export async function startFakeGemini(apiKey = "test-google-key"): Promise<FakeGemini> {
  const next: unknown[] = [];
  const operations = new Map<string, { checks: number; behaviour: VeoBehaviour }>();
  let accepted = 0;
  let self: FakeGemini | undefined;
  const png = renderCard({
    width: 64,
    height: 36,
    title: "fake",
    prompt: "fake gemini",
    label: "FAKE",
    seed: "g",
  });
  const fake = await startFake((req) => {
    const state = self as FakeGemini;
    if (req.headers["x-goog-api-key"] !== apiKey) {
      return googleError(
        400,
        "INVALID_ARGUMENT",
        "API key not valid. Please pass a valid API key.",
      );
    }
    const start = req.path.match(/^\/v1beta\/models\/([^/:]+):predictLongRunning$/);
    if (start) {
      accepted++;
      const name = `models/${start[1]}/operations/op${accepted}`;
      operations.set(name, { checks: 0, behaviour: { ...state.veo } });
      return { status: 200, body: { name } };
    }
    const poll = req.path.match(/^\/v1beta\/(models\/[^/]+\/operations\/[^/?]+)/);
    if (poll && req.method === "GET") {
      const op = operations.get(poll[1] as string);
      if (!op) return googleError(404, "NOT_FOUND", "operation not found");
      if (op.checks++ < op.behaviour.pendingChecks)
        return { status: 200, body: { name: poll[1], done: false } };
      const id = (poll[1] as string).split("/").pop();
      const response =
        op.behaviour.outcome === "error"
          ? { error: { code: 3, message: "Video generation failed: invalid image" } }
          : {
              response: {
                "@type":
                  "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse",
                generateVideoResponse:
                  op.behaviour.outcome === "filtered"
                    ? { raiMediaFilteredCount: 1, raiMediaFilteredReasons: ["Celebrity likeness"] }
                    : {
                        generatedSamples: [
                          { video: { uri: `${fake.url}/v1beta/files/${id}:download?alt=media` } },
                        ],
                      },
              },
            };
      return { status: 200, body: { name: poll[1], done: true, ...response } };
    }
    if (/^\/v1beta\/files\/[^/:]+:download/.test(req.path)) {
      return { status: 200, body: state.video, headers: { "content-type": "video/mp4" } };
    }
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
  self = Object.assign(fake, {
    next,
    veo: { pendingChecks: 1, outcome: "video" } as VeoBehaviour,
    video: Buffer.alloc(0),
    generateCalls: () => fake.requests.filter((r) => r.path.includes(":generateContent")),
    acceptedVideoStarts: () => accepted,
  });
  return self;
}
