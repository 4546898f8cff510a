import { ffmpeg } from "./ffmpeg.ts";

/** What the film's sound measures (EBU R128): integrated loudness and true peak. */
export interface Loudness {
  integrated_lufs: number;
  true_peak_dbtp: number;
}

/** The ceiling a film's true peak must stay under (EBU R128 / streaming platforms). */
export const TRUE_PEAK_LIMIT_DBTP = -1;
/**
 * What loudnorm aims at: below the limit, since the AAC encode after it adds a few tenths of a
 * dB of inter-sample peak. The output is measured after the encode, and redone lower if needed.
 */
export const TRUE_PEAK_TARGET_DBTP = -1.5;
/** Loudness range allowed before loudnorm compresses (film with speech and music: wide). */
const LOUDNESS_RANGE = 11;

/** loudnorm's first-pass measurement (`print_format=json`), fed back to its second pass. */
export interface LoudnormMeasure {
  input_i: string;
  input_tp: string;
  input_lra: string;
  input_thresh: string;
  target_offset: string;
}

/** The first pass: loudnorm measuring the stream it is given; its report goes to ffmpeg's log. */
export const measureFilter = (targetLufs: number) =>
  `loudnorm=I=${targetLufs}:TP=${TRUE_PEAK_TARGET_DBTP}:LRA=${LOUDNESS_RANGE}:print_format=json`;

/** Reads the report the first pass printed. */
export function parseLoudnorm(log: string): LoudnormMeasure {
  const json = /\{[^{}]*"input_i"[^{}]*\}/.exec(log)?.[0];
  if (!json) throw new Error("loudnorm printed no measurement");
  const m = JSON.parse(json) as LoudnormMeasure;
  // Silence measures -inf: nothing to normalise (the second pass passes it through unchanged).
  for (const key of [
    "input_i",
    "input_tp",
    "input_lra",
    "input_thresh",
    "target_offset",
  ] as const) {
    if (!Number.isFinite(Number(m[key]))) throw new SilentSound();
  }
  return m;
}

export class SilentSound extends Error {
  constructor() {
    super("the soundtrack is silent");
  }
}

/**
 * The second pass. When the peaks leave room, it is the plain gain that loudnorm's linear mode
 * means to apply, applied with `volume`: the 2018 build's linear mode mis-scales inputs shorter
 * than its 3 s window and turns itself off for some longer ones it should take. Otherwise
 * loudnorm's dynamic mode, seeded with the first pass, limits the peaks.
 */
export function normaliseFilter(
  targetLufs: number,
  m: LoudnormMeasure,
  truePeak = TRUE_PEAK_TARGET_DBTP,
): string {
  const gain = targetLufs - Number(m.input_i);
  if (Number(m.input_tp) + gain <= truePeak) return `volume=${gain.toFixed(2)}dB`;
  const loudnorm = [
    `loudnorm=I=${targetLufs}:TP=${truePeak}:LRA=${LOUDNESS_RANGE}`,
    `measured_I=${m.input_i}:measured_TP=${m.input_tp}:measured_LRA=${m.input_lra}`,
    `measured_thresh=${m.input_thresh}:offset=${m.target_offset}:linear=false`,
  ].join(":");
  // It works at 192 kHz and leaves the channel layout unset, which an encoder needs.
  return `${loudnorm},aresample=48000,aformat=channel_layouts=stereo`;
}

/** Integrated loudness and true peak of a file's sound, by ffmpeg's EBU R128 meter. */
export async function measureLoudness(path: string): Promise<Loudness> {
  const log = await ffmpeg(
    ["-i", path, "-vn", "-filter_complex", "ebur128=peak=true", "-f", "null", "-"],
    { logLevel: "info" },
  );
  // The summary comes last: "I: -14.0 LUFS" … "True peak: … Peak: -1.3 dBFS".
  const summary = log.slice(log.lastIndexOf("Summary:"));
  const integrated = /I:\s+(-?[\d.]+|-inf) LUFS/.exec(summary)?.[1];
  const peak = /True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS/.exec(summary)?.[1];
  if (integrated === undefined || peak === undefined) {
    throw new Error("ebur128 printed no summary");
  }
  const value = (s: string) => (s === "-inf" ? Number.NEGATIVE_INFINITY : Number(s));
  return { integrated_lufs: value(integrated), true_peak_dbtp: value(peak) };
}
