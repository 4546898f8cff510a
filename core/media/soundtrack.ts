import { join } from "node:path";
import { ffmpeg } from "./ffmpeg.ts";
import {
  isSilent,
  type Loudness,
  METER_FILTER,
  measureLoudness,
  normaliseFilter,
  parseEbur128,
  TRUE_PEAK_LIMIT_DBTP,
  TRUE_PEAK_TARGET_DBTP,
} from "./loudness.ts";
import { SAMPLE_RATE, type SoundShot, soundGraph } from "./sound-graph.ts";
import type { CutPlan } from "./timeline.ts";

export interface SoundtrackOptions {
  plan: CutPlan;
  shots: SoundShot[];
  musicPath?: string;
  loudnessLufs: number;
  workDir: string;
  /** Share of the soundtrack rendered so far, 0 to 1. */
  onProgress?: (fraction: number) => void;
}

export interface Soundtrack {
  /** The mixed, normalised soundtrack (AAC in M4A), exactly as long as the picture. */
  path: string;
  seconds: number;
  /** Measured on that file; null for a film with no sound at all. */
  loudness: Loudness | null;
}

const AAC = ["-c:a", "aac", "-b:a", "192k", "-movflags", "+faststart"];

/**
 * Renders the film's sound in two passes: the mix is rendered once to a float WAV while ebur128
 * measures it (pass 1), then that WAV is normalised to the target (loudness.ts: the gain, or
 * loudnorm's dynamic mode when the peaks need limiting) and encoded to AAC (pass 2, cheap: no
 * decoding or mixing again). The result is measured with ebur128; if the encode pushed the true
 * peak over the limit, pass 2 is redone that much lower.
 */
export async function renderSoundtrack(o: SoundtrackOptions): Promise<Soundtrack> {
  const seconds = o.plan.frames / o.plan.fps;
  const share = (from: number, to: number) =>
    o.onProgress
      ? {
          onProgress: (s: number) => o.onProgress?.(from + (to - from) * Math.min(1, s / seconds)),
        }
      : {};
  const graph = soundGraph(o.plan, o.shots, o.musicPath);
  const wav = join(o.workDir, "mix.wav");
  const log = await ffmpeg(
    [
      ...graph.inputs,
      "-filter_complex",
      [
        ...graph.filters,
        `[${graph.out}]asplit=2[keep][meter]`,
        `[meter]${METER_FILTER}[measured]`,
      ].join(";"),
      ...["-map", "[keep]", "-c:a", "pcm_f32le", wav],
      ...["-map", "[measured]", "-f", "null", "-"],
    ],
    { logLevel: "info", ...share(0, 0.6) },
  );
  const path = join(o.workDir, "sound.m4a");
  const measured = parseEbur128(log);
  if (isSilent(measured)) {
    await ffmpeg(["-i", wav, ...AAC, path], share(0.6, 1));
    return { path, seconds, loudness: null };
  }
  // The gain is exact; loudnorm's limiting can leave very peaky sound short of the target, and
  // the AAC encode can lift a true peak: the output is measured, and aimed again (twice at most).
  let aim = { lufs: o.loudnessLufs, truePeak: TRUE_PEAK_TARGET_DBTP };
  for (let attempt = 0; ; attempt++) {
    await ffmpeg(
      [
        ...["-i", wav, "-af", normaliseFilter(aim.lufs, measured, aim.truePeak)],
        ...["-ar", String(SAMPLE_RATE), ...AAC, path],
      ],
      share(0.6, 0.9),
    );
    const loudness = await measureLoudness(path);
    const short = o.loudnessLufs - loudness.integrated_lufs;
    const over = loudness.true_peak_dbtp - TRUE_PEAK_LIMIT_DBTP;
    if ((Math.abs(short) <= 0.5 && over <= 0) || attempt === 2) {
      return { path, seconds, loudness: rounded(loudness) };
    }
    aim = {
      lufs: Math.min(-5, aim.lufs + short),
      truePeak: over > 0 ? Math.max(-9, aim.truePeak - over - 0.3) : aim.truePeak,
    };
  }
}

const rounded = (l: Loudness): Loudness => ({
  integrated_lufs: Math.round(l.integrated_lufs * 10) / 10,
  true_peak_dbtp: Math.round(l.true_peak_dbtp * 10) / 10,
});
