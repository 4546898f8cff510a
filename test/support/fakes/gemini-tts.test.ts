/**
 * Contract of the fake Gemini API's TTS answers with the REAL `@google/genai` (WIRE-FORMATS.md,
 * "Gemini API TTS"): `config.responseModalities` and `config.speechConfig` travel inside
 * `generationConfig`, the audio comes back as headerless L16 PCM, and a multi-speaker config
 * takes exactly two speakers.
 */
import { ApiError, GoogleGenAI, type SpeechConfig } from "@google/genai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAKE_TTS, startFakeGemini } from "./gemini.ts";
import { fakeForFile } from "./server.ts";

const GEMINI_ENV = [
  "GOOGLE_API_KEY",
  "GEMINI_API_KEY",
  "GOOGLE_GENAI_USE_VERTEXAI",
  "GOOGLE_GEMINI_BASE_URL",
  "GOOGLE_GENAI_API_VERSION",
];
const saved: Record<string, string | undefined> = {};
beforeAll(() => {
  for (const name of GEMINI_ENV) {
    saved[name] = process.env[name];
    delete process.env[name];
  }
});
afterAll(() => {
  for (const name of GEMINI_ENV) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

const fake = fakeForFile(() => startFakeGemini("test-google-key"));
const MODEL = "gemini-3.8-flash-tts";
const tts = (text: string, speechConfig: SpeechConfig) =>
  new GoogleGenAI({
    apiKey: "test-google-key",
    apiVersion: "v1beta",
    httpOptions: { baseUrl: fake().url },
  }).models.generateContent({
    model: MODEL,
    contents: [{ role: "user", parts: [{ text }] }],
    config: { responseModalities: ["AUDIO"], speechConfig },
  });
const voice = (voiceName: string) => ({ prebuiltVoiceConfig: { voiceName } });

describe("fake Gemini TTS with the real @google/genai", () => {
  it("moves speechConfig into generationConfig and answers L16 PCM at 24 kHz", async () => {
    const res = await tts("Hello there.", { voiceConfig: voice("Kore") });
    const [req] = fake().requests;
    expect(req?.path).toBe(`/v1beta/models/${MODEL}:generateContent`);
    expect(req?.json.generationConfig).toEqual({
      responseModalities: ["AUDIO"],
      speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: "Kore" } } },
    });
    const audio = res.candidates?.[0]?.content?.parts?.[0]?.inlineData;
    expect(audio?.mimeType).toBe("audio/L16;codec=pcm;rate=24000");
    const bytes = Buffer.from(audio?.data ?? "", "base64");
    const seconds = bytes.length / 2 / 24_000;
    expect(seconds).toBeCloseTo(
      Math.max(FAKE_TTS.minSeconds, 12 * FAKE_TTS.secondsPerChar) + 2 * FAKE_TTS.edgeSeconds,
      3,
    );
    // Not silence: the tone's samples are there.
    expect(
      Math.max(...new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2)),
    ).toBeGreaterThan(8000);
  });

  it("takes a multi-speaker config of exactly two speakers, refusing three with Google's 400", async () => {
    const two = {
      multiSpeakerVoiceConfig: {
        speakerVoiceConfigs: [
          { speaker: "A", voiceConfig: voice("Kore") },
          { speaker: "B", voiceConfig: voice("Puck") },
        ],
      },
    };
    const res = await tts("A: Hi.\nB: Hello.", two);
    expect(res.candidates?.[0]?.content?.parts?.[0]?.inlineData?.data).toBeTruthy();
    expect(fake().requests[0]?.json.generationConfig.speechConfig).toEqual(two);
    const three = {
      multiSpeakerVoiceConfig: {
        speakerVoiceConfigs: [
          ...two.multiSpeakerVoiceConfig.speakerVoiceConfigs,
          { speaker: "C", voiceConfig: voice("Leda") },
        ],
      },
    };
    const error = await tts("A: Hi.\nB: Hello.\nC: Hey.", three).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).message).toContain("speaker_voice_configs must equal 2");
  });

  it("refuses an unknown voice with 400 INVALID_ARGUMENT", async () => {
    const error = await tts("Hi.", { voiceConfig: voice("Alloy") }).catch((e: unknown) => e);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).message).toContain("INVALID_ARGUMENT");
  });
});
