import { mapLimit } from "../concurrency.ts";
import { ProviderError } from "../providers/errors.ts";
import type { Generated, SpeechAudio, SpeechProvider, Usage } from "../providers/types.ts";
import { boundariesOf, concat, silence, slice, speechSpan, trimmed } from "./pcm.ts";
import type { NarrationProvenance, SpokenLine } from "./types.ts";
import { type Pcm, secondsOf } from "./wav.ts";

/** A line to speak: who (null: the narrator), with which voice, and the label a two-speaker
 * request names them by. */
export interface ScriptLine {
  speaker_asset_id: number | null;
  voice: string;
  text: string;
  label: string;
}

/** What one provider request was sent, for provenance. */
export interface SentRequest {
  mode: "single" | "two_speakers";
  voices: string[];
  text: string;
}

export interface Speech {
  audio: Pcm;
  lines: SpokenLine[];
  timing: NarrationProvenance["timing"];
  requests: SentRequest[];
  usage: Usage;
  provider: string;
  model: string;
}

/** Silence between two lines (a narration and a reply, or two replies). */
export const LINE_GAP_SECONDS = 0.25;
/** Provider requests in flight at once for one shot. */
const PARALLEL_REQUESTS = 4;

interface Block {
  lines: ScriptLine[];
  request: SentRequest;
  make: () => Promise<Generated<SpeechAudio>>;
}

/**
 * The requests a shot's lines need: the narration on its own; a dialogue between exactly two
 * speakers as one exchange when the provider can (Gemini's multi-speaker config takes exactly
 * two); otherwise every line on its own, so its length is measured alone.
 */
function blocksOf(provider: SpeechProvider, lines: ScriptLine[]): Block[] {
  const dialogue = lines.filter((l) => l.speaker_asset_id !== null);
  const speakers = new Set(dialogue.map((l) => l.speaker_asset_id));
  const single = (line: ScriptLine): Block => ({
    lines: [line],
    request: { mode: "single", voices: [line.voice], text: line.text },
    make: () => provider.speak({ text: line.text, voice: line.voice }),
  });
  const converse = provider.converse?.bind(provider);
  if (!converse || speakers.size !== 2 || dialogue.length < 2) return lines.map(single);
  const turns = dialogue.map((l) => ({ speaker: l.label, voice: l.voice, text: l.text }));
  const exchange: Block = {
    lines: dialogue,
    request: {
      mode: "two_speakers",
      voices: [...new Set(dialogue.map((l) => l.voice))],
      text: turns.map((t) => `${t.speaker}: ${t.text}`).join("\n"),
    },
    make: () => converse({ turns }),
  };
  return [...lines.filter((l) => l.speaker_asset_id === null).map(single), exchange];
}

const round = (seconds: number) => Math.round(seconds * 1000) / 1000;

/**
 * Where each line of one recording lies, in seconds from its start. One line: its sound. Several
 * (a two-speaker exchange): split at the pauses between them, each part then trimmed to its own
 * sound; with too few pauses, the sound is shared out by text length.
 */
function linesIn(
  audio: Pcm,
  lines: ScriptLine[],
): { times: [number, number][]; byPauses: boolean } {
  const whole = speechSpan(audio) ?? [0, secondsOf(audio)];
  if (lines.length === 1) return { times: [whole], byPauses: true };
  const weights = lines.map((l) => [...l.text].length);
  const pauses = boundariesOf(audio, weights);
  const edges: [number, number][] = [];
  if (pauses) {
    let from = whole[0];
    for (let i = 0; i < lines.length; i++) {
      const pause = pauses[i];
      edges.push([from, pause ? pause[0] : whole[1]]);
      if (pause) from = pause[1];
    }
    const times = edges.map(([from, to]) => {
      const own = speechSpan(slice(audio, from, to));
      return own ? ([from + own[0], from + own[1]] as [number, number]) : [from, to];
    });
    return { times: times as [number, number][], byPauses: true };
  }
  const total = weights.reduce((a, b) => a + b, 0);
  let at = whole[0];
  const times = weights.map((w) => {
    const start = at;
    at += ((whole[1] - whole[0]) * w) / total;
    return [start, at] as [number, number];
  });
  return { times, byPauses: false };
}

/**
 * Speaks a shot's lines and joins them into one clip: each recording trimmed to its sound, a
 * short gap between them, and every line's start and end measured on the result.
 */
export async function synthesise(provider: SpeechProvider, lines: ScriptLine[]): Promise<Speech> {
  const blocks = blocksOf(provider, lines);
  const made = await mapLimit(blocks, PARALLEL_REQUESTS, (b) => b.make());
  const rate = made[0]?.value.sampleRate ?? 24_000;
  if (made.some((m) => m.value.sampleRate !== rate))
    throw new ProviderError(
      provider.name,
      "invalid_output",
      "speech came back at different sample rates",
    );
  const parts: Pcm[] = [];
  const spoken = new Map<ScriptLine, SpokenLine>();
  let at = 0;
  let byPauses = true;
  for (const [i, block] of blocks.entries()) {
    const audio = trimmed((made[i] as Generated<SpeechAudio>).value);
    if (parts.length) {
      parts.push(silence(LINE_GAP_SECONDS, rate));
      at += secondsOf(parts[parts.length - 1] as Pcm);
    }
    const placed = linesIn(audio, block.lines);
    byPauses &&= placed.byPauses;
    for (const [j, line] of block.lines.entries()) {
      const [start, end] = placed.times[j] as [number, number];
      spoken.set(line, {
        speaker_asset_id: line.speaker_asset_id,
        voice: line.voice,
        text: line.text,
        start: round(at + start),
        end: round(at + end),
      });
    }
    parts.push(audio);
    at += secondsOf(audio);
  }
  const usage = made.reduce(
    (sum, m) => ({
      input_tokens: sum.input_tokens + (m.usage?.input_tokens ?? 0),
      output_tokens: sum.output_tokens + (m.usage?.output_tokens ?? 0),
    }),
    { input_tokens: 0, output_tokens: 0 },
  );
  const exchange = blocks.some((b) => b.request.mode === "two_speakers");
  return {
    audio: concat(parts, rate),
    lines: lines.map((l) => spoken.get(l) as SpokenLine),
    timing: !exchange ? "measured" : byPauses ? "pauses" : "proportional",
    requests: blocks.map((b) => b.request),
    usage,
    provider: made[0]?.provider ?? provider.name,
    model: made[0]?.model ?? provider.model,
  };
}
