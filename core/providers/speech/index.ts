import type { Config } from "../../config.ts";
import { isSpeechOffline } from "../../speech/offline.ts";
import { sharedProvider } from "../installed.ts";
import type { SpeechProvider } from "../types.ts";

/** Speech: Gemini TTS with a Google key (`@google/genai`), espeak-ng offline otherwise. */
export async function createSpeechProvider(cfg: Config): Promise<SpeechProvider> {
  return isSpeechOffline(cfg)
    ? (await import("./offline.ts")).offlineSpeech()
    : (await import("./gemini.ts")).geminiSpeech(cfg);
}

export const speechProvider = (): Promise<SpeechProvider> =>
  sharedProvider("speech", createSpeechProvider);
