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
/** How much lower than the linear case loudnorm's limiter aims (see normaliseFilter). */
const LIMITED_MARGIN_DB = 1;
/** ebur128's floor: a stream measuring this or less is silence. */
const SILENCE_LUFS = -70;

/** What the first pass measures (ebur128's summary), fed to the second. */
export interface Measured {
  integrated: number;
  /** The integrated measure's gating threshold. */
  threshold: number;
  range: number;
  truePeak: number;
}

/**
 * The first pass's meter: EBU R128 with true peak. It measures what loudnorm's own first pass
 * does, but the 2018 build's loudnorm works at 192 kHz: six times slower on a long film.
 */
export const METER_FILTER = "ebur128=peak=true";

/** Reads ebur128's summary (the last one in the log). */
export function parseEbur128(log: string): Measured {
  const summary = log.slice(log.lastIndexOf("Summary:"));
  const number = (re: RegExp) => {
    const found = re.exec(summary)?.[1];
    if (found === undefined) throw new Error("ebur128 printed no summary");
    return found === "-inf" ? Number.NEGATIVE_INFINITY : Number(found);
  };
  // "Integrated loudness: I: -14.0 LUFS Threshold: -24.0 LUFS … LRA: 3.0 LU … Peak: -1.3 dBFS"
  return {
    integrated: number(/I:\s+(-?[\d.]+|-inf) LUFS/),
    threshold: number(/I:[^\n]*\n\s+Threshold:\s+(-?[\d.]+|-inf) LUFS/),
    range: number(/LRA:\s+(-?[\d.]+|-inf) LU\b/),
    // Only when measured (`peak=true`).
    truePeak: /True peak:/.test(summary)
      ? number(/True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS/)
      : Number.NaN,
  };
}

/** True when the measure found nothing to normalise. */
export const isSilent = (m: Measured) => !(m.integrated > SILENCE_LUFS);

/**
 * The second pass. When the peaks leave room, it is the plain gain that loudnorm's linear mode
 * means to apply, applied with `volume`: the 2018 build's linear mode mis-scales inputs shorter
 * than its 3 s window and turns itself off for some longer ones it should take. Otherwise
 * loudnorm's dynamic mode, seeded with the first pass's measure, limits the peaks.
 */
export function normaliseFilter(
  targetLufs: number,
  m: Measured,
  truePeak = TRUE_PEAK_TARGET_DBTP,
): string {
  const gain = targetLufs - m.integrated;
  if (m.truePeak + gain <= truePeak) return `volume=${gain.toFixed(2)}dB`;
  const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x)).toFixed(2);
  // Limited sound comes out of the AAC encode up to a dB higher still: aimed that much lower.
  const loudnorm = [
    `loudnorm=I=${targetLufs}:TP=${(truePeak - LIMITED_MARGIN_DB).toFixed(1)}:LRA=${LOUDNESS_RANGE}`,
    `measured_I=${clamp(m.integrated, -99, 0)}:measured_TP=${clamp(m.truePeak, -99, 99)}`,
    `measured_LRA=${clamp(m.range, 0, 99)}:measured_thresh=${clamp(m.threshold, -99, 0)}`,
    "linear=false",
  ].join(":");
  // It works at 192 kHz and leaves the channel layout unset, which an encoder needs.
  return `${loudnorm},aresample=48000,aformat=channel_layouts=stereo`;
}

/** Integrated loudness and true peak of a file's sound, by ffmpeg's EBU R128 meter. */
export async function measureLoudness(path: string): Promise<Loudness> {
  const log = await ffmpeg(
    ["-i", path, "-vn", "-filter_complex", METER_FILTER, "-f", "null", "-"],
    { logLevel: "info" },
  );
  const m = parseEbur128(log);
  return { integrated_lufs: m.integrated, true_peak_dbtp: m.truePeak };
}

/** Integrated loudness alone (no true peak: a third of the work), e.g. of a speech clip. */
export async function measureIntegrated(path: string): Promise<number> {
  const log = await ffmpeg(["-i", path, "-vn", "-af", "ebur128", "-f", "null", "-"], {
    logLevel: "info",
  });
  return parseEbur128(log).integrated;
}
