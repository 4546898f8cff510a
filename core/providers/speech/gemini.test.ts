import { describe, expect, it } from "vitest";
import {
  FAKE_TTS,
  geminiReplies,
  googleError,
  startFakeGemini,
} from "../../../test/support/fakes/gemini.ts";
import { fakeForFile } from "../../../test/support/fakes/server.ts";
import { parseConfig } from "../../config.ts";
import { secondsOf } from "../../speech/wav.ts";
import { ProviderError } from "../errors.ts";
import { geminiSpeech } from "./gemini.ts";

const fake = fakeForFile(startFakeGemini);

const adapter = () =>
  geminiSpeech(
    parseConfig({
      GOOGLE_API_KEY: "test-google-key",
      GEMINI_BASE_URL: fake().url,
      GEMINI_TTS_MODEL: "gemini-test-tts",
      PROVIDER_RETRIES: "0",
    }),
  );

/** Seconds the fake speaks a text for (a tone), without its edges. */
const toneSeconds = (text: string) =>
  Math.max(FAKE_TTS.minSeconds, [...text].length * FAKE_TTS.secondsPerChar);

const failureOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as ProviderError,
  );

describe("Gemini TTS adapter (real @google/genai against the fake)", () => {
  it("asks for audio in one prebuilt voice and returns the PCM at the rate the MIME type says", async () => {
    const text = "The lighthouse keeper climbs the stairs.";
    const said = await adapter().speak({ text, voice: "Puck" });
    expect(said).toMatchObject({ provider: "gemini", model: "gemini-test-tts" });
    expect(said.value.sampleRate).toBe(24_000);
    expect(secondsOf(said.value)).toBeCloseTo(toneSeconds(text) + 2 * FAKE_TTS.edgeSeconds, 3);
    expect(said.usage?.output_tokens).toBeGreaterThan(0);
    const [req] = fake().generateCalls();
    expect(req?.path).toBe("/v1beta/models/gemini-test-tts:generateContent");
    expect(req?.json.contents).toEqual([{ role: "user", parts: [{ text }] }]);
    expect(req?.json.generationConfig).toEqual({
      responseModalities: ["AUDIO"],
      speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: "Puck" } } },
    });
  });

  it("speaks a two-speaker exchange in one request with multiSpeakerVoiceConfig", async () => {
    const turns = [
      { speaker: "Mara", voice: "Kore", text: "Did you see the light?" },
      { speaker: "Tom", voice: "Charon", text: "Only for a moment, out past the rocks." },
      { speaker: "Mara", voice: "Kore", text: "Then we go now." },
    ];
    const said = await adapter().converse?.({ turns });
    const [req] = fake().generateCalls();
    expect(req?.json.generationConfig.speechConfig).toEqual({
      multiSpeakerVoiceConfig: {
        speakerVoiceConfigs: [
          { speaker: "Mara", voiceConfig: { prebuiltVoiceConfig: { voiceName: "Kore" } } },
          { speaker: "Tom", voiceConfig: { prebuiltVoiceConfig: { voiceName: "Charon" } } },
        ],
      },
    });
    expect(req?.json.contents[0].parts[0].text).toBe(
      [
        "TTS the following conversation between Mara and Tom:",
        "Mara: Did you see the light?",
        "Tom: Only for a moment, out past the rocks.",
        "Mara: Then we go now.",
      ].join("\n"),
    );
    const expected =
      turns.reduce((n, t) => n + toneSeconds(t.text), 0) +
      2 * FAKE_TTS.pauseSeconds +
      2 * FAKE_TTS.edgeSeconds;
    expect(secondsOf(said?.value as never)).toBeCloseTo(expected, 3);
  });

  it("refuses a conversation of other than two speakers before any request", async () => {
    const error = await failureOf(
      adapter().converse?.({
        turns: [
          { speaker: "A", voice: "Kore", text: "One." },
          { speaker: "B", voice: "Puck", text: "Two." },
          { speaker: "C", voice: "Leda", text: "Three." },
        ],
      }) as Promise<unknown>,
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect(error?.code).toBe("provider_bad_request");
    expect(fake().generateCalls()).toHaveLength(0);
  });

  it.each([
    [429, "RESOURCE_EXHAUSTED", "provider_rate_limited", 502],
    [404, "NOT_FOUND", "provider_model_not_found", 502],
    [500, "INTERNAL", "provider_unavailable", 502],
  ])("types a %i %s as %s", async (status, google, code, http) => {
    fake().faults.push({ ...googleError(status, google, "no"), path: /:generateContent$/ });
    const error = await failureOf(adapter().speak({ text: "Hi.", voice: "Kore" }));
    expect(error).toMatchObject({ code, status: http });
    if (status === 404) expect(error?.message).toContain("GEMINI_TTS_MODEL");
  });

  it("types an unknown voice (the API's 400) as a bad request", async () => {
    const error = await failureOf(adapter().speak({ text: "Hi.", voice: "Alloy" }));
    expect(error).toMatchObject({ code: "provider_bad_request" });
    expect(error?.message).toContain("INVALID_ARGUMENT");
  });

  it("types a reply without audio as invalid output, and a blocked prompt as blocked (422)", async () => {
    fake().next.push(geminiReplies.json({ said: "text instead of audio" }));
    expect(await failureOf(adapter().speak({ text: "Hi.", voice: "Kore" }))).toMatchObject({
      code: "provider_invalid_output",
    });
    fake().next.push(geminiReplies.blockedPrompt("PROHIBITED_CONTENT"));
    expect(await failureOf(adapter().speak({ text: "Hi.", voice: "Kore" }))).toMatchObject({
      code: "provider_blocked",
      status: 422,
      reasons: ["PROHIBITED_CONTENT"],
    });
  });
});
