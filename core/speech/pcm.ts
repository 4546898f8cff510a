import type { Pcm } from "./wav.ts";

/**
 * Measuring speech in PCM s16 mono: where it starts and ends, and the pauses inside it. Times
 * come from the samples themselves, in 10 ms frames: a frame is silent below -40 dBFS RMS.
 */

const FRAME_SECONDS = 0.01;
const SILENT_RMS = 32768 * 10 ** (-40 / 20);
/** Kept at either side of speech so no consonant is clipped. */
const MARGIN_SECONDS = 0.02;

const samplesOf = ({ pcm }: Pcm) => {
  const copy = new Uint8Array(pcm.length - (pcm.length % 2));
  copy.set(pcm.subarray(0, copy.length));
  return new Int16Array(copy.buffer);
};

/** Whether each 10 ms frame holds sound. */
function loudFrames(audio: Pcm): boolean[] {
  const samples = samplesOf(audio);
  const size = Math.max(1, Math.round(audio.sampleRate * FRAME_SECONDS));
  const frames: boolean[] = [];
  for (let i = 0; i < samples.length; i += size) {
    let sum = 0;
    const end = Math.min(samples.length, i + size);
    for (let j = i; j < end; j++) sum += (samples[j] as number) ** 2;
    frames.push(Math.sqrt(sum / (end - i)) >= SILENT_RMS);
  }
  return frames;
}

/** Seconds [start, end] of the sound in the audio, or null when it is all silence. */
export function speechSpan(audio: Pcm): [number, number] | null {
  const frames = loudFrames(audio);
  const first = frames.indexOf(true);
  if (first < 0) return null;
  const last = frames.lastIndexOf(true);
  const length = audio.pcm.length / 2 / audio.sampleRate;
  return [
    Math.max(0, first * FRAME_SECONDS - MARGIN_SECONDS),
    Math.min(length, (last + 1) * FRAME_SECONDS + MARGIN_SECONDS),
  ];
}

/** The part of the audio between two times (seconds), on whole samples. */
export function slice(audio: Pcm, from: number, to: number): Pcm {
  const at = (t: number) =>
    Math.max(0, Math.min(audio.pcm.length, Math.round(t * audio.sampleRate) * 2));
  return { pcm: audio.pcm.subarray(at(from), at(to)), sampleRate: audio.sampleRate };
}

/** The audio without the silence before and after its sound (all silence: kept as it is). */
export function trimmed(audio: Pcm): Pcm {
  const span = speechSpan(audio);
  return span ? slice(audio, span[0], span[1]) : audio;
}

export const silence = (seconds: number, sampleRate: number): Pcm => ({
  pcm: new Uint8Array(Math.round(seconds * sampleRate) * 2),
  sampleRate,
});

export function concat(parts: Pcm[], sampleRate: number): Pcm {
  const pcm = new Uint8Array(parts.reduce((n, p) => n + p.pcm.length, 0));
  let offset = 0;
  for (const part of parts) {
    pcm.set(part.pcm, offset);
    offset += part.pcm.length;
  }
  return { pcm, sampleRate };
}

/** A pause inside the speech: [start, end] seconds. */
export type Pause = [number, number];

/** Silent runs of at least `minSeconds` between the first and the last sound. */
export function pausesOf(audio: Pcm, minSeconds = 0.12): Pause[] {
  const frames = loudFrames(audio);
  const first = frames.indexOf(true);
  const last = frames.lastIndexOf(true);
  const pauses: Pause[] = [];
  let quietFrom = -1;
  for (let i = first; i <= last; i++) {
    if (!frames[i] && quietFrom < 0) quietFrom = i;
    if (frames[i] && quietFrom >= 0) {
      if ((i - quietFrom) * FRAME_SECONDS >= minSeconds)
        pauses.push([quietFrom * FRAME_SECONDS, i * FRAME_SECONDS]);
      quietFrom = -1;
    }
  }
  return pauses;
}

/**
 * Where one recording of several lines changes line: the pauses that best fit the lines'
 * share of the text (`weights`, e.g. their lengths), long pauses preferred. Returns one pause
 * per boundary (weights.length - 1 of them, in order), or null when there are too few pauses.
 * A small dynamic programme over the pauses in order: each boundary costs its distance from
 * where the text proportions put it, less twice the pause's length.
 */
export function boundariesOf(audio: Pcm, weights: number[]): Pause[] | null {
  const span = speechSpan(audio);
  const needed = weights.length - 1;
  if (needed <= 0) return [];
  if (!span) return null;
  const pauses = pausesOf(audio);
  if (pauses.length < needed) return null;
  const total = weights.reduce((a, b) => a + b, 0) || 1;
  let cumulative = 0;
  const expected = weights.slice(0, -1).map((w) => {
    cumulative += w;
    return span[0] + (cumulative / total) * (span[1] - span[0]);
  });
  const cost = (k: number, j: number) => {
    const [from, to] = pauses[j] as Pause;
    return Math.abs((from + to) / 2 - (expected[k] as number)) - 2 * (to - from);
  };
  // best[k][j]: cheapest way to put boundary k on pause j; from[k][j]: boundary k-1's pause.
  const best: number[][] = [];
  const from: number[][] = [];
  for (let k = 0; k < needed; k++) {
    best.push([]);
    from.push([]);
    for (let j = 0; j < pauses.length; j++) {
      if (j < k || pauses.length - j < needed - k) {
        (best[k] as number[])[j] = Number.POSITIVE_INFINITY;
        continue;
      }
      let prior = 0;
      let via = -1;
      if (k > 0) {
        prior = Number.POSITIVE_INFINITY;
        for (let i = k - 1; i < j; i++) {
          const c = (best[k - 1] as number[])[i] as number;
          if (c < prior) [prior, via] = [c, i];
        }
      }
      (best[k] as number[])[j] = prior + cost(k, j);
      (from[k] as number[])[j] = via;
    }
  }
  const lastRow = best[needed - 1] as number[];
  let j = lastRow.indexOf(Math.min(...lastRow));
  const chosen: Pause[] = [];
  for (let k = needed - 1; k >= 0; k--) {
    chosen.unshift(pauses[j] as Pause);
    j = (from[k] as number[])[j] as number;
  }
  return chosen;
}
