import { renderCard } from "../../../core/providers/offline/card.ts";
import { VOICES } from "../../../core/speech/voices.ts";
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

/** Seconds of speech the fake says per character (a tone), and the pause between two turns. */
export const FAKE_TTS = {
  secondsPerChar: 0.04,
  minSeconds: 0.3,
  pauseSeconds: 0.4,
  edgeSeconds: 0.1,
};

type FakeVoice = { prebuiltVoiceConfig?: { voiceName?: string } };
interface FakeSpeechConfig {
  voiceConfig?: FakeVoice;
  multiSpeakerVoiceConfig?: { speakerVoiceConfigs?: { speaker: string; voiceConfig: FakeVoice }[] };
}

/**
 * A TTS answer as Gemini gives it: headerless PCM s16le mono at 24 kHz. Each line is a tone as
 * long as its text (its pitch by voice), lines of a two-speaker exchange apart by a pause, with a
 * little silence at either end. Unknown voices and anything but two speakers are refused.
 */
function ttsReply(body: {
  contents?: { parts?: { text?: string }[] }[];
  generationConfig?: { speechConfig?: FakeSpeechConfig };
}): Reply {
  const speech = body.generationConfig?.speechConfig ?? {};
  const text = body.contents?.[0]?.parts?.[0]?.text ?? "";
  const voiceOf = (c: FakeVoice | undefined) => c?.prebuiltVoiceConfig?.voiceName ?? "Kore";
  let segments: { voice: string; text: string }[] = [{ voice: voiceOf(speech.voiceConfig), text }];
  const multi = speech.multiSpeakerVoiceConfig?.speakerVoiceConfigs;
  if (multi) {
    if (multi.length !== 2)
      return googleError(
        400,
        "INVALID_ARGUMENT",
        "The number of speaker_voice_configs must equal 2.",
      );
    const voices = new Map(multi.map((c) => [c.speaker, voiceOf(c.voiceConfig)]));
    segments = text
      .split("\n")
      .map((line) => line.match(/^([^:]+): (.*)$/))
      .filter((m): m is RegExpMatchArray => !!m && voices.has(m[1] as string))
      .map((m) => ({ voice: voices.get(m[1] as string) as string, text: m[2] as string }));
  }
  const unknown = segments.find((s) => !VOICES.includes(s.voice as never));
  if (unknown) return googleError(400, "INVALID_ARGUMENT", "Request contains an invalid argument.");
  const rate = 24_000;
  const samples: number[] = [];
  const pause = (seconds: number) => {
    for (let i = 0; i < Math.round(seconds * rate); i++) samples.push(0);
  };
  pause(FAKE_TTS.edgeSeconds);
  segments.forEach((segment, n) => {
    if (n > 0) pause(FAKE_TTS.pauseSeconds);
    const seconds = Math.max(
      FAKE_TTS.minSeconds,
      [...segment.text].length * FAKE_TTS.secondsPerChar,
    );
    const hz = 180 + 15 * VOICES.indexOf(segment.voice as never);
    for (let i = 0; i < Math.round(seconds * rate); i++)
      samples.push(Math.round(9000 * Math.sin((2 * Math.PI * hz * i) / rate)));
  });
  pause(FAKE_TTS.edgeSeconds);
  const pcm = Buffer.alloc(samples.length * 2);
  for (const [i, v] of samples.entries()) pcm.writeInt16LE(v, i * 2);
  return {
    status: 200,
    body: {
      candidates: [
        {
          content: {
            role: "model",
            parts: [
              {
                inlineData: {
                  mimeType: "audio/L16;codec=pcm;rate=24000",
                  data: pcm.toString("base64"),
                },
              },
            ],
          },
          finishReason: "STOP",
          index: 0,
        },
      ],
      usageMetadata: {
        promptTokenCount: Math.ceil(text.length / 4),
        candidatesTokenCount: Math.round((samples.length / rate) * 32),
      },
    },
  };
}

/** The access token the fake's OAuth endpoint hands out and its Vertex routes expect. */
export const VERTEX_TOKEN = "fake-vertex-access-token";

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
  /** How the next Veo operations end, one each, before `veo` applies again (e.g. filtered once). */
  veoQueue: VeoBehaviour[];
  /** MP4 bytes served for finished Veo operations. */
  video: Buffer;
  generateCalls(): Recorded[];
  /** Starts the fake accepted on any route (a paid generation each). */
  acceptedVideoStarts(): number;
  /** Start requests that reached the fake on any route, accepted or not. */
  videoStartRequests(): Recorded[];
  /**
   * Controlled interleavings: when set, a start (or a file download) that arrives calls
   * `arrived` and is answered only once `release` resolves.
   */
  startGate?: Gate;
  downloadGate?: Gate;
}

export interface Gate {
  arrived: () => void;
  release: Promise<void>;
}

/** A gate plus the promise of its first arrival, for tests that hold a request mid-flight. */
export function gate(): { gate: Gate; arrived: Promise<void>; open: () => void } {
  let arrived!: () => void;
  let open!: () => void;
  const arrival = new Promise<void>((r) => {
    arrived = r;
  });
  const release = new Promise<void>((r) => {
    open = r;
  });
  return { gate: { arrived, release }, arrived: arrival, open };
}

/** Where the real Gemini API's file links point; the backend must fetch them through its base. */
export const GOOGLE_FILES = "https://generativelanguage.googleapis.com/v1beta/files";

/**
 * What Veo refuses in a start's instance, as documented (CAPABILITIES.md): a last frame without a
 * first frame, reference images together with either frame, more than three references.
 */
function veoInstanceProblem(body: { instances?: Record<string, unknown>[] } | undefined) {
  const instance = body?.instances?.[0] ?? {};
  const refs = instance.referenceImages as unknown[] | undefined;
  if (instance.lastFrame && !instance.image) return "lastFrame requires an input image";
  if (refs?.length && (instance.image || instance.lastFrame))
    return "referenceImages cannot be combined with image or lastFrame";
  if ((refs?.length ?? 0) > 3) return "at most 3 reference images";
  return undefined;
}

const START = /:predictLongRunning$|^\/v1beta\/interactions$/;
const isStart = (r: Recorded) => r.method === "POST" && START.test(r.path.split("?")[0] as string);

async function through(g: Gate | undefined) {
  if (!g) return;
  g.arrived();
  await g.release;
}

/** Gemini API (v1beta, API-key mode) on 127.0.0.1. */
export async function startFakeGemini(apiKey = "test-google-key"): Promise<FakeGemini> {
  const next: unknown[] = [];
  const operations = new Map<string, { checks: number; behaviour: VeoBehaviour }>();
  const interactions = new Map<string, string>();
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
  /** The finished-operation body each API speaks, for this operation's behaviour. */
  const finished = (id: string, behaviour: VeoBehaviour, vertex: boolean) => {
    if (behaviour.outcome === "error")
      return { error: { code: 3, message: "Video generation failed: invalid image" } };
    const filtered = { raiMediaFilteredCount: 1, raiMediaFilteredReasons: ["Celebrity likeness"] };
    if (vertex) {
      const state = self as FakeGemini;
      return {
        response: {
          "@type": "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse",
          ...(behaviour.outcome === "filtered"
            ? filtered
            : {
                videos: [
                  { bytesBase64Encoded: state.video.toString("base64"), mimeType: "video/mp4" },
                ],
              }),
        },
      };
    }
    return {
      response: {
        "@type":
          "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse",
        generateVideoResponse:
          behaviour.outcome === "filtered"
            ? filtered
            : {
                generatedSamples: [{ video: { uri: `${GOOGLE_FILES}/${id}:download?alt=media` } }],
              },
      },
    };
  };
  const operationStep = (name: string, vertex: boolean) => {
    const op = operations.get(name);
    if (!op) return googleError(404, "NOT_FOUND", "operation not found");
    if (op.checks++ < op.behaviour.pendingChecks)
      return { status: 200, body: { name, done: false } };
    return {
      status: 200,
      body: {
        name,
        done: true,
        ...finished(name.split("/").pop() as string, op.behaviour, vertex),
      },
    };
  };
  const newOperation = (prefix: string) => {
    accepted++;
    const name = `${prefix}/operations/op${accepted}`;
    const state = self as FakeGemini;
    operations.set(name, { checks: 0, behaviour: { ...(state.veoQueue.shift() ?? state.veo) } });
    return name;
  };

  const fake = await startFake(async (req) => {
    const state = self as FakeGemini;
    if (isStart(req)) await through(state.startGate);
    if (/^\/v1beta\/files\//.test(req.path)) await through(state.downloadGate);
    // Google's OAuth token endpoint, for service-account credentials whose token_uri points here.
    if (req.path === "/token") {
      return {
        status: 200,
        body: { access_token: VERTEX_TOKEN, expires_in: 3600, token_type: "Bearer" },
      };
    }
    const vertex = req.path.match(
      /^\/v1beta1\/(projects\/[^/]+\/locations\/[^/]+\/publishers\/google\/models\/[^/:]+):(predictLongRunning|fetchPredictOperation)$/,
    );
    if (vertex) {
      if (req.headers.authorization !== `Bearer ${VERTEX_TOKEN}`)
        return googleError(401, "UNAUTHENTICATED", "bad token");
      if (vertex[2] === "predictLongRunning") {
        const problem = veoInstanceProblem(req.json);
        if (problem) return googleError(400, "INVALID_ARGUMENT", problem);
        return { status: 200, body: { name: newOperation(vertex[1] as string) } };
      }
      return operationStep(String(req.json?.operationName), true);
    }
    if (req.headers["x-goog-api-key"] !== apiKey) {
      return googleError(
        400,
        "INVALID_ARGUMENT",
        "API key not valid. Please pass a valid API key.",
      );
    }
    if (req.method === "POST" && req.path === "/v1beta/interactions") {
      const id = newOperation("interactions").split("/").pop() as string;
      interactions.set(id, `interactions/operations/${id}`);
      return { status: 200, body: { id, status: "in_progress", model: req.json?.model } };
    }
    const interaction = req.path.match(/^\/v1beta\/interactions\/([^/?]+)(?:\?.*)?$/);
    if (interaction && req.method === "GET") {
      const id = interaction[1] as string;
      const op = operations.get(interactions.get(id) ?? "");
      if (!op) return googleError(404, "NOT_FOUND", "interaction not found");
      if (op.checks++ < op.behaviour.pendingChecks)
        return { status: 200, body: { id, status: "in_progress" } };
      if (op.behaviour.outcome !== "video") {
        const message =
          op.behaviour.outcome === "filtered"
            ? "Output blocked by safety filters"
            : "invalid image";
        return { status: 200, body: { id, status: "failed", errors: [{ message }] } };
      }
      const uri = `${GOOGLE_FILES}/${id}:download?alt=media`;
      return {
        status: 200,
        body: {
          id,
          status: "completed",
          steps: [
            { type: "user_input", content: [{ type: "text", text: "prompt" }] },
            { type: "model_output", content: [{ type: "video", uri, mime_type: "video/mp4" }] },
          ],
        },
      };
    }
    const start = req.path.match(/^\/v1beta\/models\/([^/:]+):predictLongRunning$/);
    if (start) {
      const problem = veoInstanceProblem(req.json);
      if (problem) return googleError(400, "INVALID_ARGUMENT", problem);
      return { status: 200, body: { name: newOperation(`models/${start[1]}`) } };
    }
    const poll = req.path.match(/^\/v1beta\/(models\/[^/]+\/operations\/[^/?]+)/);
    if (poll && req.method === "GET") return operationStep(poll[1] as string, false);
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
    if (req.json?.generationConfig?.responseModalities?.includes("AUDIO"))
      return ttsReply(req.json);
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
    veoQueue: [] as VeoBehaviour[],
    video: Buffer.alloc(0),
    generateCalls: () => fake.requests.filter((r) => r.path.includes(":generateContent")),
    acceptedVideoStarts: () => accepted,
    videoStartRequests: () => fake.requests.filter(isStart),
  });
  return self;
}
