import type { GenerateContentResponse, SpeechConfig } from "@google/genai";
import type { Config } from "../../config.ts";
import { log } from "../../log.ts";
import { readWav } from "../../speech/wav.ts";
import { withDeadline } from "../deadline.ts";
import { ProviderError } from "../errors.ts";
import { geminiClient, geminiFailure } from "../image/gemini.ts";
import type { Generated, SpeechAudio, SpeechProvider, SpeechTurn, Usage } from "../types.ts";

const NAME = "gemini";

/** Google documents L16 PCM at 24 kHz; the rate is read from the MIME type when it says one. */
const DEFAULT_RATE = 24_000;

const BLOCKED_FINISH = new Set(["SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "OTHER"]);

/** SDK failures as typed provider errors, as the image adapter's; a deadline's own passes. */
async function callTts<T>(cfg: Config, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return withDeadline(NAME, cfg.PROVIDER_TIMEOUT_MS, async (deadline) => {
    try {
      return await call(deadline.signal);
    } catch (error) {
      if (error instanceof ProviderError) throw error;
      throw geminiFailure(cfg, error, "GEMINI_TTS_MODEL");
    }
  });
}

const voice = (voiceName: string) => ({ prebuiltVoiceConfig: { voiceName } });

/**
 * The audio of a TTS reply: raw PCM (`audio/L16;codec=pcm;rate=24000`, s16le mono), or a WAV
 * should a model answer one. No audio: a refusal (block or finish reason) or an invalid output.
 */
export function audioOf(res: GenerateContentResponse): SpeechAudio {
  const blocked = res.promptFeedback?.blockReason;
  if (blocked) throw new ProviderError(NAME, "blocked", `prompt blocked (${blocked})`, [blocked]);
  const candidate = res.candidates?.[0];
  const data = candidate?.content?.parts?.find((p) =>
    p.inlineData?.mimeType?.toLowerCase().startsWith("audio/"),
  )?.inlineData;
  if (!data?.data) {
    const reason = candidate?.finishReason;
    throw new ProviderError(
      NAME,
      reason && BLOCKED_FINISH.has(reason) ? "blocked" : "invalid_output",
      `no audio in the reply (finishReason ${reason ?? "none"})`,
      reason ? [reason] : [],
    );
  }
  const bytes = Buffer.from(data.data, "base64");
  const mime = (data.mimeType ?? "").toLowerCase();
  if (/wav/.test(mime)) return readWav(bytes);
  if (!/^audio\/(l16|pcm)/.test(mime))
    throw new ProviderError(NAME, "invalid_output", `unexpected audio type ${data.mimeType}`);
  const rate = Number(mime.match(/rate=(\d+)/)?.[1] ?? DEFAULT_RATE);
  // Whole 16-bit samples only.
  return {
    pcm: new Uint8Array(bytes.subarray(0, bytes.length - (bytes.length % 2))),
    sampleRate: rate,
  };
}

const usageOf = (res: GenerateContentResponse): Usage => ({
  input_tokens: res.usageMetadata?.promptTokenCount ?? 0,
  output_tokens: res.usageMetadata?.candidatesTokenCount ?? 0,
});

/** The text of a two-speaker exchange, each line "<speaker>: <text>", as Google's docs show. */
export const conversationText = (turns: SpeechTurn[]) => {
  const names = [...new Set(turns.map((t) => t.speaker))];
  return [
    `TTS the following conversation between ${names.join(" and ")}:`,
    ...turns.map((t) => `${t.speaker}: ${t.text}`),
  ].join("\n");
};

/** Gemini TTS through `@google/genai` (`generateContent` with audio output and prebuilt voices). */
export function geminiSpeech(cfg: Config): SpeechProvider {
  const ai = geminiClient(cfg);
  const model = cfg.GEMINI_TTS_MODEL;
  const synthesise = async (text: string, speechConfig: SpeechConfig) => {
    const res = await callTts(cfg, (signal) =>
      ai.models.generateContent({
        model,
        contents: [{ role: "user", parts: [{ text }] }],
        config: { responseModalities: ["AUDIO"], speechConfig, abortSignal: signal },
      }),
    );
    const audio = audioOf(res);
    const usage = usageOf(res);
    log.info("speech generated", { provider: NAME, model, characters: text.length, ...usage });
    return { value: audio, provider: NAME, model, usage } satisfies Generated<SpeechAudio>;
  };
  return {
    name: NAME,
    model,
    offline: false,
    speak: ({ text, voice: name }) => synthesise(text, { voiceConfig: voice(name) }),
    async converse({ turns }) {
      const speakers = [...new Map(turns.map((t) => [t.speaker, t.voice])).entries()];
      if (speakers.length !== 2)
        throw new ProviderError(NAME, "bad_request", "a conversation needs exactly two speakers");
      return synthesise(conversationText(turns), {
        multiSpeakerVoiceConfig: {
          speakerVoiceConfigs: speakers.map(([speaker, name]) => ({
            speaker,
            voiceConfig: voice(name),
          })),
        },
      });
    },
  };
}
