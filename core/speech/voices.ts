import { badRequest } from "../errors.ts";

/**
 * The 30 prebuilt voices of Gemini TTS (ai.google.dev/gemini-api/docs/speech-generation), in the
 * documented order. The narrator speaks with the project's `settings.voice`, each character with
 * its asset's `voice`; offline speech maps each name to an espeak-ng variant.
 */
export const VOICES = [
  "Zephyr",
  "Puck",
  "Charon",
  "Kore",
  "Fenrir",
  "Leda",
  "Orus",
  "Aoede",
  "Callirrhoe",
  "Autonoe",
  "Enceladus",
  "Iapetus",
  "Umbriel",
  "Algieba",
  "Despina",
  "Erinome",
  "Algenib",
  "Rasalgethi",
  "Laomedeia",
  "Achernar",
  "Alnilam",
  "Schedar",
  "Gacrux",
  "Pulcherrima",
  "Achird",
  "Zubenelgenubi",
  "Vindemiatrix",
  "Sadachbia",
  "Sadaltager",
  "Sulafat",
] as const;

/**
 * The voice a character without one gets: fixed by its asset id, so it is the same wherever it
 * is asked (and it is stored on the asset the first time it speaks, so it never changes).
 */
export const defaultVoiceOf = (assetId: number): string =>
  VOICES[assetId % VOICES.length] as string;

/** The voice an asset speaks with now: its own, else the one its id picks. */
export const voiceOfAsset = (asset: { id: number; voice: string | null }): string =>
  asset.voice?.trim() || defaultVoiceOf(asset.id);

const BY_LOWER = new Map(VOICES.map((v) => [v.toLowerCase(), v as string]));

/**
 * The voice's documented spelling; an unknown name is a 400 naming where it was set and the
 * valid ones, before anything is paid for (every provider, offline too, so a project behaves the
 * same when it goes live).
 */
export function checkedVoice(name: string, where: string): string {
  const voice = BY_LOWER.get(name.trim().toLowerCase());
  if (voice) return voice;
  throw badRequest(
    "unknown_voice",
    `Unknown voice "${name}" (${where}); valid voices: ${VOICES.join(", ")}`,
  );
}
