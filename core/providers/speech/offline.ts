import { VOICES } from "../../speech/voices.ts";
import { readWav } from "../../speech/wav.ts";
import { ProviderError } from "../errors.ts";
import type { Generated, SpeechAudio, SpeechProvider } from "../types.ts";

const NAME = "offline";
export const OFFLINE_SPEECH_MODEL = "espeak-ng-1.0.2";

/** espeak-ng's variants (pitch, formants) that each prebuilt voice name maps to, so characters
 * with different voices sound different offline too. */
const VARIANTS = ["f2", "m3", "m1", "f1", "m7", "f3", "m2", "f4", "m4", "f5", "m5", "m6"];

const HAN = /[\u3400-\u9fff\uf900-\ufaff]/;

/** espeak-ng's voice for a line: Mandarin for Chinese text, else US English; the variant by name. */
export function espeakVoiceOf(text: string, voice: string): string {
  const index = VOICES.findIndex((v) => v.toLowerCase() === voice.toLowerCase());
  const n =
    index >= 0 ? index : [...voice].reduce((h, c) => (h * 31 + (c.codePointAt(0) ?? 0)) >>> 0, 7);
  return `${HAN.test(text) ? "cmn" : "en-us"}+${VARIANTS[n % VARIANTS.length]}`;
}

type ESpeakFactory = typeof import("espeak-ng").default;
type ESpeakModule = Awaited<ReturnType<ESpeakFactory>>;

let factory: Promise<ESpeakFactory> | undefined;

/**
 * espeak-ng (WASM, GPL-3.0-or-later) is imported on the first offline line only: it is a local
 * stand-in, never bundled into a Lambda (infra/defaults.ts leaves it out).
 */
function loadESpeak(): Promise<ESpeakFactory> {
  factory ??= import("espeak-ng")
    .then((m) => m.default)
    .catch((error: Error) => {
      factory = undefined;
      throw new ProviderError(
        NAME,
        "unavailable",
        `offline speech needs the espeak-ng package, which is for local runs only (set GOOGLE_API_KEY for Gemini TTS): ${error.message}`,
      );
    });
  return factory;
}

/**
 * Real synthesised speech with no key and no network: espeak-ng reads the text from its own
 * in-memory file system (so text is never taken for an option) and writes a 22.05 kHz WAV.
 * Deterministic: the same text and voice give the same bytes. Labelled by provider `offline`.
 */
export function offlineSpeech(): SpeechProvider {
  return {
    name: NAME,
    model: OFFLINE_SPEECH_MODEL,
    offline: true,
    async speak({ text, voice }): Promise<Generated<SpeechAudio>> {
      const espeak = await loadESpeak();
      let module: ESpeakModule;
      try {
        module = await espeak({
          arguments: ["-w", "out.wav", "-b", "1", "-v", espeakVoiceOf(text, voice), "-f", "in.txt"],
          preRun: [(m) => m.FS.writeFile("in.txt", text)],
          print: () => {},
          printErr: () => {},
        });
      } catch (error) {
        throw new ProviderError(
          NAME,
          "invalid_output",
          `espeak-ng failed: ${(error as Error).message}`,
        );
      }
      const { pcm, sampleRate } = readWav(module.FS.readFile("out.wav"));
      return { value: { pcm, sampleRate }, provider: NAME, model: OFFLINE_SPEECH_MODEL };
    },
  };
}
