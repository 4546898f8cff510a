/**
 * The narration clip of a shot, as the final cut, subtitles and export read it. A clip is a
 * version of kind `narration` (core/versions.ts); the storyboard's `narration_version_id` points
 * at the current one. Its `url` is a WAV file (PCM s16le, mono) in storage, and its provenance
 * carries `duration_seconds` and `lines` (below), timed from the synthesised audio itself.
 * Read them with `projectNarration` / `narrationOf` (core/speech/clips.ts). Keep this stable.
 */

/** One spoken line of a clip. */
export interface SpokenLine {
  /** The character speaking (an asset of the project); null: the narrator. */
  speaker_asset_id: number | null;
  /** The prebuilt voice it was spoken with (a Gemini voice name, e.g. "Kore"). */
  voice: string;
  text: string;
  /** Seconds from the start of the clip where this line's speech begins and ends: measured on
   * the real audio (silence at either side trimmed), so subtitles can be timed from them. */
  start: number;
  end: number;
}

/** A shot's current narration clip. */
export interface NarrationClip {
  storyboard_id: number;
  version_id: number;
  /** WAV (PCM s16le mono, the provider's rate) in storage. */
  url: string;
  /** The clip's length: its speech from the first line's start (0) to the last line's end.
   * This is the shot's `speechSeconds`. */
  duration_seconds: number;
  /** In the order spoken: the narration first, then the dialogue lines. */
  lines: SpokenLine[];
  provider: string;
  model: string;
  /** The shot's narration text, dialogue or a speaker's voice changed since it was made
   * (the render makes it again; core/staleness.ts `isNarrationStale`). */
  stale: boolean;
}

/** What a narration version's provenance holds beyond the usual fields (provider, model,
 * prompt, cost, job id). */
export interface NarrationProvenance {
  duration_seconds: number;
  lines: SpokenLine[];
  /** The voice of each speaker: `narrator`, and each speaking asset's id. */
  voices: Record<string, string>;
  /** The text spoken, one line per spoken line. */
  text: string;
  sample_rate: number;
  /** `measured`: every line synthesised on its own and measured; `pauses`: a two-speaker
   * exchange made in one request, each line found between the pauses the model left;
   * `proportional`: such an exchange with too few pauses, its sound shared out by text length. */
  timing: "measured" | "pauses" | "proportional";
}

/** Silence kept after a shot's speech before the shot may end. */
export const SPEECH_TAIL_SECONDS = 0.3;

/**
 * How long the final cut holds a shot's last frame (ffmpeg `tpad`) so its speech, plus the
 * tail, ends inside the shot. 0 when the clip is long enough.
 */
export const holdSeconds = (clipSeconds: number, speechSeconds: number): number =>
  Math.max(0, Math.round((speechSeconds + SPEECH_TAIL_SECONDS - clipSeconds) * 1000) / 1000);
