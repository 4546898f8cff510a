import type { Cue } from "./cues.ts";

/** `hh:mm:ss.mmm` (WebVTT) or `hh:mm:ss,mmm` (SubRip) from whole milliseconds. */
export function timestamp(ms: number, separator: "." | ","): string {
  const total = Math.max(0, Math.round(ms));
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor(total / 60_000) % 60;
  const seconds = Math.floor(total / 1000) % 60;
  return `${pad(hours)}:${pad(minutes)}:${pad(seconds)}${separator}${pad(total % 1000, 3)}`;
}

/**
 * WebVTT cue text may not hold `-->`, and `&` and `<` start entities and tags: all are escaped
 * (`>` too, which takes care of `-->`).
 */
export const escapeVtt = (line: string) =>
  line.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

/** SubRip has no escapes: an arrow in the text is written so no reader takes it for a timing. */
export const escapeSrt = (line: string) => line.replaceAll("-->", "->");

/** A WebVTT file: the header, then numbered cues separated by blank lines. */
export function toWebVtt(cues: Cue[]): string {
  const blocks = cues.map(
    (c, i) =>
      `${i + 1}\n${timestamp(c.start_ms, ".")} --> ${timestamp(c.end_ms, ".")}\n` +
      `${c.lines.map(escapeVtt).join("\n")}\n`,
  );
  return ["WEBVTT\n", ...blocks].join("\n");
}

/** A SubRip file: cues numbered from 1, comma before the milliseconds. */
export function toSrt(cues: Cue[]): string {
  return cues
    .map(
      (c, i) =>
        `${i + 1}\n${timestamp(c.start_ms, ",")} --> ${timestamp(c.end_ms, ",")}\n` +
        `${c.lines.map(escapeSrt).join("\n")}\n`,
    )
    .join("\n");
}
