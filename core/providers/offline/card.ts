/**
 * Pure rendering for the offline image provider: real, clearly labelled PNG "cards" that stand in
 * for generated images when no Google key is configured. No clock, no randomness, no I/O, so the
 * same spec always yields the same bytes. The only state is the cache of decoded references in
 * raster.ts, which saves time but never changes the output. This file is the layout; pixels,
 * text and PNG bytes come from raster.ts, lettering.ts and png.ts.
 */
import { GLYPH_SIZE } from "./font.ts";
import { codePoints, drawLine, ellipsize, trimEnd, wrap } from "./lettering.ts";
import { type DecodedImage, encodePng } from "./png.ts";
import { blit, type Canvas, canvas, fill, type Rgb, reference } from "./raster.ts";

export interface CardSpec {
  width: number;
  height: number;
  title: string;
  prompt: string;
  /** Always drawn in the top banner and stored as the PNG `Software` text. */
  label: string;
  /** Drives the background tint, so the same subject keeps its colour across cards. */
  seed: string;
  /** PNG or JPEG bytes; the first few are composed as thumbnails, undecodable ones skipped. */
  references?: Uint8Array[];
}

const MAX_SIDE = 2048;
const MAX_REFERENCES = 6;

const WHITE: Rgb = [255, 255, 255];
const INK: Rgb = [12, 12, 18];
const AMBER: Rgb = [255, 196, 61];

/** Pixel size for an aspect ratio like "16:9" (1280x720 by default); RangeError if malformed. */
export function aspectSize(
  aspectRatio: string,
  longEdge = 1280,
): { width: number; height: number } {
  const m = /^\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*$/.exec(aspectRatio);
  const w = Number(m?.[1]);
  const h = Number(m?.[2]);
  if (!m || !(w > 0) || !(h > 0)) {
    throw new RangeError(`Invalid aspect ratio "${aspectRatio}"; expected "W:H" such as "16:9"`);
  }
  if (!Number.isInteger(longEdge) || longEdge < 1 || longEdge > MAX_SIDE) {
    throw new RangeError(`Invalid long edge ${longEdge}; expected an integer in 1..${MAX_SIDE}`);
  }
  const short = Math.max(1, Math.round((longEdge * Math.min(w, h)) / Math.max(w, h)));
  return w >= h ? { width: longEdge, height: short } : { width: short, height: longEdge };
}

/**
 * The card as PNG bytes: seed-tinted background, label banner, title, wrapped prompt, reference
 * thumbnails, and the exact title, prompt and label as iTXt chunks (the font is ASCII-only).
 */
export function renderCard(spec: CardSpec): Uint8Array {
  const width = side(spec.width, "width");
  const height = side(spec.height, "height");
  const c = canvas(width, height);
  const refs = (spec.references ?? [])
    .slice(0, MAX_REFERENCES)
    .map(reference)
    .filter((r): r is DecodedImage => r !== undefined);

  const unit = Math.min(width, height);
  const margin = Math.max(4, Math.round(unit * 0.035));
  const small = clamp(Math.floor(unit / 360), 1, 2);
  const big = clamp(Math.floor(unit / 180), 1, 4);

  background(c, spec.seed);

  // Label banner across the top: the one thing that must never be missing or ambiguous.
  const pad = 4 * small;
  const bannerH = GLYPH_SIZE * small + 2 * pad;
  fill(c, 0, 0, width, bannerH, INK, 0.8);
  fill(c, 0, bannerH, width, Math.max(1, small), AMBER, 1);
  const labelChars = Math.floor((width - 2 * margin) / (GLYPH_SIZE * small));
  drawLine(c, ellipsize(codePoints(spec.label), labelChars), margin, pad, small, AMBER);

  const titleY = bannerH + margin;
  const titleChars = Math.floor((width - 2 * margin) / (GLYPH_SIZE * big));
  const title = ellipsize(codePoints(spec.title), titleChars);
  drawLine(c, title, margin + Math.ceil(big / 2), titleY + Math.ceil(big / 2), big, INK);
  drawLine(c, title, margin, titleY, big, WHITE);

  const stripH = refs.length ? Math.round(height * 0.22) : 0;
  const stripY = height - margin - stripH;
  if (refs.length) thumbnails(c, refs, margin, stripY, width - 2 * margin, stripH);

  const boxY = titleY + GLYPH_SIZE * big + margin;
  const boxBottom = refs.length ? stripY - margin : height - margin;
  const boxEnd = promptBox(
    c,
    spec.prompt,
    margin,
    boxY,
    width - 2 * margin,
    boxBottom - boxY,
    small,
  );
  watermark(c, margin, boxEnd + margin, width - 2 * margin, boxBottom - boxEnd - margin, big);

  return encodePng(c, [
    ["Title", spec.title],
    ["Description", spec.prompt],
    ["Software", spec.label],
  ]);
}

function side(v: number, name: string): number {
  if (!Number.isFinite(v)) throw new RangeError(`Card ${name} must be a finite number`);
  return clamp(Math.round(v), 1, MAX_SIDE);
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

// --- background ----------------------------------------------------------------------------

/** FNV-1a over UTF-8: stable across platforms and runs, unlike anything built into the engine. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(text, "utf8")) h = Math.imul(h ^ b, 0x01000193);
  return h >>> 0;
}

function hsl(hue: number, s: number, l: number): Rgb {
  const k = (n: number) => (n + hue / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) =>
    Math.round(255 * (l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1))));
  return [f(0), f(8), f(4)];
}

/** Diagonal two-hue gradient with faint stripes; hue, spread and angle all come from the seed. */
function background(c: Canvas, seed: string): void {
  const h = hash(seed);
  const hue = h % 360;
  const [r0, g0, b0] = hsl(hue, 0.55, 0.42);
  const [r1, g1, b1] = hsl((hue + 40 + ((h >>> 9) % 80)) % 360, 0.6, 0.2);
  const angle = (((h >>> 16) % 90) + 20) * (Math.PI / 180);
  const span = c.width * Math.cos(angle) + c.height * Math.sin(angle);
  const dx = Math.cos(angle) / span; // t runs 0..1 from the top-left to the bottom-right corner
  const dy = Math.sin(angle) / span;
  const period = 24 + ((h >>> 24) % 24);
  const { px, width } = c;
  for (let y = 0, o = 0; y < c.height; y++) {
    let t = y * dy;
    let phase = y % period;
    for (let x = 0; x < width; x++, o += 3, t += dx) {
      const stripe = phase * 2 < period ? 6 : 0;
      px[o] = r0 + (r1 - r0) * t + stripe;
      px[o + 1] = g0 + (g1 - g0) * t + stripe;
      px[o + 2] = b0 + (b1 - b0) * t + stripe;
      if (++phase === period) phase = 0;
    }
  }
}

// --- text panels ---------------------------------------------------------------------------

/** Draws the wrapped prompt on a dark panel; returns the y just below the panel. */
function promptBox(
  c: Canvas,
  prompt: string,
  x: number,
  y: number,
  w: number,
  h: number,
  s: number,
): number {
  const pad = 6 * s;
  const lineH = (GLYPH_SIZE + 3) * s;
  const maxChars = Math.floor((w - 2 * pad) / (GLYPH_SIZE * s));
  const maxLines = Math.floor((h - 2 * pad + 3 * s) / lineH);
  if (maxChars < 1 || maxLines < 1) return y;
  let lines = wrap(prompt, maxChars);
  while (lines.length > 1 && lines.at(-1)?.length === 0) lines.pop();
  if (lines.length > maxLines) {
    lines = lines.slice(0, maxLines);
    const last = lines[maxLines - 1] ?? [];
    const kept = trimEnd(last.slice(0, Math.max(0, maxChars - 3)));
    lines[maxLines - 1] = [...kept, 0x2e, 0x2e, 0x2e].slice(0, maxChars); // visibly cut short
  }
  // The panel hugs the text so short prompts leave the tinted background visible.
  const panelH = Math.min(h, 2 * pad + lines.length * lineH - 3 * s);
  fill(c, x, y, w, panelH, INK, 0.55);
  lines.forEach((line, i) => {
    drawLine(c, line, x + pad, y + pad + i * lineH, s, WHITE);
  });
  return y + panelH;
}

/** A big faint "OFFLINE" in whatever space is left, so no crop of the card passes for real art. */
function watermark(c: Canvas, x: number, y: number, w: number, h: number, titleScale: number) {
  const text = codePoints("OFFLINE");
  const scale = Math.min(Math.floor(w / (GLYPH_SIZE * text.length)), Math.floor(h / GLYPH_SIZE));
  if (scale <= titleScale) return; // no room for it to read as a watermark
  const left = x + Math.floor((w - GLYPH_SIZE * scale * text.length) / 2);
  const top = y + Math.floor((h - GLYPH_SIZE * scale) / 2);
  drawLine(c, text, left, top, scale, WHITE, 0.1);
}

// --- reference thumbnails ------------------------------------------------------------------

/** Lays the references out left to right at a common height, shrinking all to fit the width. */
function thumbnails(c: Canvas, refs: DecodedImage[], x: number, y: number, w: number, h: number) {
  const border = Math.max(1, Math.round(h / 60));
  const gap = Math.max(2, Math.round(h / 12));
  const inner = h - 2 * border;
  const widths = refs.map((r) => Math.max(1, Math.round((inner * r.width) / r.height)));
  // Borders and gaps keep their size; only the images shrink when the row is too wide.
  const room = w - refs.length * 2 * border - (refs.length - 1) * gap;
  const shrink = Math.max(0, Math.min(1, room / widths.reduce((a, b) => a + b, 0)));
  let cx = x;
  refs.forEach((ref, i) => {
    const tw = Math.max(1, Math.floor((widths[i] ?? 1) * shrink));
    const th = Math.max(1, Math.floor(inner * shrink));
    const ty = y + (h - th - 2 * border); // bottom-aligned when shrunk
    fill(c, cx + border, ty + border, tw + 2 * border, th + 2 * border, INK, 0.5); // shadow
    fill(c, cx, ty, tw + 2 * border, th + 2 * border, WHITE, 1);
    blit(c, ref, cx + border, ty + border, tw, th);
    cx += tw + 2 * border + gap;
  });
}
