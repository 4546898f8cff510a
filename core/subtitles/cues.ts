import { splitForCues, weightOf } from "./lines.ts";

/** A line as spoken in a shot: its times are within the shot's clip, from the real speech. */
export interface SpokenLine {
  text: string;
  start: number;
  end: number;
}

/** A shot's window in the finished cut (after transitions and holds) and what is said in it. */
export interface ShotSpeech {
  storyboard_id: number;
  start: number;
  end: number;
  /** Where the shot's speech starts in the cut (its lines' times count from here); default
   * the shot's start. */
  speech_start?: number;
  lines: SpokenLine[];
}

/** One subtitle on screen: one or two lines, times in milliseconds of the finished cut. */
export interface Cue {
  storyboard_id: number;
  start_ms: number;
  end_ms: number;
  lines: string[];
}

/**
 * The cues of a cut: each spoken line placed at its shot's start plus its own times, kept inside
 * the shot's window (a line that runs past the shot is cut at its end, one wholly outside is
 * dropped), and a long line split into several cues that share its time by length.
 */
export function cuesOf(shots: ShotSpeech[]): Cue[] {
  const cues: Cue[] = [];
  for (const shot of shots) {
    // Whole milliseconds inside the window, so rounding never puts a cue outside it.
    const windowStart = Math.ceil(shot.start * 1000);
    const windowEnd = Math.floor(shot.end * 1000);
    for (const line of shot.lines) {
      const origin = shot.speech_start ?? shot.start;
      const start = Math.max(windowStart, Math.round((origin + line.start) * 1000));
      const end = Math.min(windowEnd, Math.round((origin + line.end) * 1000));
      if (end <= start) continue;
      const parts = splitForCues(line.text);
      const weights = parts.map(weightOf);
      const total = weights.reduce((a, b) => a + b, 0);
      let done = 0;
      parts.forEach((lines, i) => {
        const from = start + Math.round(((end - start) * done) / total);
        done += weights[i] as number;
        const to = start + Math.round(((end - start) * done) / total);
        if (to > from)
          cues.push({ storyboard_id: shot.storyboard_id, start_ms: from, end_ms: to, lines });
      });
    }
  }
  return cues.sort((a, b) => a.start_ms - b.start_ms || a.end_ms - b.end_ms);
}
