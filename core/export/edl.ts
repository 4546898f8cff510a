import { type Edit, editsOf, sourceFrameAt } from "./edits.ts";
import type { CutExport } from "./timeline.ts";

/**
 * CMX 3600 EDL of the picture: one event per shot (reel `SHOTnnn`, channel V), source in/out in
 * the clip and record in/out from 01:00:00:00, non-drop timecode at the cut's frame rate. A
 * dissolve is the standard pair of lines (the outgoing reel cut in at zero length, then the
 * incoming one with `D` and the duration in frames); a fade through black dissolves to and from
 * the black reel `BL`; a held last frame is an event of its own with an `M2` freeze (speed 0).
 * `* FROM CLIP NAME` and `* SOURCE FILE` comments name the shot and its file for relinking.
 */

const RECORD_START_HOURS = 1;

export const reelOf = (position: number) => `SHOT${String(position).padStart(3, "0")}`;

export function toEdl(cut: CutExport): string {
  const fps = cut.fps;
  const tc = (frames: number) => {
    const f = Math.max(0, Math.round(frames));
    const pad = (n: number) => String(n).padStart(2, "0");
    const seconds = Math.floor(f / fps);
    return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}:${pad(f % fps)}`;
  };
  const rec = (frames: number) => tc(frames + RECORD_START_HOURS * 3600 * fps);
  let number = 0;
  const lines: string[] = [];
  const line = (
    reel: string,
    kind: "C" | "D",
    duration: number | null,
    src: [number, number],
    record: [number, number],
  ) =>
    `${String(number).padStart(3, "0")}  ${reel.padEnd(8)} ${"V".padEnd(5)} ${kind.padEnd(4)} ${
      duration === null ? "   " : String(duration).padStart(3, "0")
    } ${tc(src[0])} ${tc(src[1])} ${rec(record[0])} ${rec(record[1])}`;
  const comments = (edit: Edit) => [
    `* FROM CLIP NAME: ${oneLine(edit.shot.name)}`,
    `* SOURCE FILE: ${oneLine(edit.shot.url)}`,
  ];

  const edits = editsOf(cut);
  /** Where each shot's own event starts on the record side (after its transition's first part). */
  const eventStart = (edit: Edit) => edit.start;
  /** Where the next shot takes over (its dissolve, or the start of its fade to black). */
  const eventEnd = (i: number) => {
    const next = edits[i + 1];
    if (!next) return (edits[i] as Edit).end;
    return next.transition?.kind === "fade" ? next.transition.start : next.start;
  };

  edits.forEach((edit, i) => {
    const reel = reelOf(edit.shot.position);
    const previous = edits[i - 1];
    const from = eventStart(edit);
    const to = eventEnd(i);
    const playEnd = Math.min(to, edit.start + edit.clipFrames);
    const src = (record: number) => sourceFrameAt(edit, record);
    const t = edit.transition;
    if (t && previous && t.kind === "fade") {
      // Out to black over the first half, in from black over the second.
      const prevReel = reelOf(previous.shot.position);
      const out = edit.start - t.start;
      number++;
      if (out > 0) {
        const at = sourceFrameAt(previous, t.start);
        lines.push(line(prevReel, "C", null, [at, at], [t.start, t.start]));
        lines.push(line("BL", "D", out, [0, out], [t.start, edit.start]));
        number++;
      }
      lines.push(line("BL", "C", null, [0, 0], [edit.start, edit.start]));
      lines.push(
        line(
          reel,
          "D",
          t.end - edit.start,
          [src(from), src(from) + (playEnd - from)],
          [from, playEnd],
        ),
      );
    } else if (t && previous) {
      number++;
      const at = sourceFrameAt(previous, t.start);
      lines.push(line(reelOf(previous.shot.position), "C", null, [at, at], [t.start, t.start]));
      lines.push(
        line(
          reel,
          "D",
          t.end - t.start,
          [src(from), src(from) + (playEnd - from)],
          [from, playEnd],
        ),
      );
    } else {
      number++;
      lines.push(line(reel, "C", null, [src(from), src(from) + (playEnd - from)], [from, playEnd]));
    }
    lines.push(...comments(edit));
    if (to > playEnd) {
      // The held last frame: a freeze of it for the rest of the shot.
      number++;
      const last = src(playEnd);
      lines.push(line(reel, "C", null, [last, last + (to - playEnd)], [playEnd, to]));
      lines.push(`M2   ${reel.padEnd(8)}       000.0                ${tc(last)}`);
      lines.push(...comments(edit));
    }
  });
  return [`TITLE: ${oneLine(cut.name).slice(0, 70)}`, "FCM: NON-DROP FRAME", "", ...lines, ""].join(
    "\n",
  );
}

const oneLine = (text: string) => text.replace(/[\r\n]+/g, " ").trim();
