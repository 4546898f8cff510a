/**
 * Text on the offline cards: code points drawn with the 8x8 bitmap font, a stand-in glyph for
 * anything it lacks, and the line handling (ellipsis, greedy wrap) that keeps CJK prompts readable.
 * Lines are arrays of code points so one character is always one glyph cell.
 */
import { GLYPH_SIZE, glyph } from "./font.ts";
import { type Canvas, fill, type Rgb } from "./raster.ts";

/** The text as code points, control characters shown as spaces (they would draw as blocks). */
export function codePoints(text: string): number[] {
  return Array.from(text, (ch) => {
    const code = ch.codePointAt(0) ?? 0x20;
    return code < 0x20 || code === 0x7f ? 0x20 : code;
  });
}

/** Cuts a line to `max` cells, ending in "..." when anything was cut. */
export function ellipsize(line: number[], max: number): number[] {
  if (line.length <= max) return line;
  const dots = [0x2e, 0x2e, 0x2e].slice(0, Math.max(0, max));
  return [...line.slice(0, Math.max(0, max - dots.length)), ...dots];
}

/** Greedy wrap: breaks at spaces, and on either side of any non-ASCII (CJK) character. */
export function wrap(text: string, max: number): number[][] {
  const lines: number[][] = [];
  for (const paragraph of text.split(/\r?\n/)) {
    let line: number[] = [];
    let breakAt = -1; // length of `line` up to the last allowed break
    for (const code of codePoints(paragraph)) {
      const wide = code > 0x7f;
      if (line.length >= max) {
        if (code === 0x20 || wide || breakAt <= 0) {
          lines.push(line);
          line = [];
        } else {
          lines.push(line.slice(0, breakAt));
          line = line.slice(breakAt);
        }
        breakAt = -1;
      }
      if (code === 0x20 && line.length === 0) continue;
      line.push(code);
      if (code === 0x20 || wide) breakAt = line.length;
    }
    lines.push(line);
  }
  return lines.map((l) => trimEnd(l));
}

export function trimEnd(line: number[]): number[] {
  let end = line.length;
  while (end > 0 && line[end - 1] === 0x20) end--;
  return line.slice(0, end);
}

/**
 * A stand-in glyph for characters the bitmap font lacks (Chinese etc.): a few strokes on a 3x3
 * grid picked from the code point, so the text keeps its shape and the same character always
 * looks the same. The exact text is in the PNG's iTXt chunks.
 */
export function blockGlyph(code: number): Uint8Array {
  let h = Math.imul(code ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  const rows = new Uint8Array(GLYPH_SIZE);
  const spans = [0, 0b1111, 0b1111000, 0b1111111]; // none, first half, second half, full
  for (let i = 0; i < 3; i++) {
    rows[i * 3] = (rows[i * 3] ?? 0) | (spans[(h >>> (i * 2)) & 3] ?? 0); // horizontal strokes
    const span = spans[(h >>> (6 + i * 2)) & 3] ?? 0; // vertical strokes, rows as bits
    for (let r = 0; r < 7; r++) if ((span >> r) & 1) rows[r] = (rows[r] ?? 0) | (1 << (i * 3));
  }
  if (rows.filter((r) => r !== 0).length < 4) {
    rows[0] = (rows[0] ?? 0) | 0x7f; // too sparse to read as a character: add a frame stroke
    for (let r = 0; r < 7; r++) rows[r] = (rows[r] ?? 0) | 0x08;
  }
  return rows;
}

/** Draws one line of cells from (x, y), each glyph pixel a `scale`-sized square. */
export function drawLine(
  c: Canvas,
  text: number[],
  x: number,
  y: number,
  scale: number,
  rgb: Rgb,
  alpha = 1,
) {
  const step = GLYPH_SIZE * scale;
  text.forEach((code, i) => {
    const rows = code === 0x20 ? undefined : (glyph(code) ?? blockGlyph(code));
    if (!rows) return;
    for (let r = 0; r < GLYPH_SIZE; r++) {
      const bits = rows[r] ?? 0;
      for (let b = 0; bits >> b; b++) {
        if ((bits >> b) & 1)
          fill(c, x + i * step + b * scale, y + r * scale, scale, scale, rgb, alpha);
      }
    }
  });
}
