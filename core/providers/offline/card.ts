/**
 * Pure rendering for the offline image provider: real, clearly labelled PNG "cards" that stand in
 * for generated images when no Google key is configured. No clock, no randomness, no I/O, so the
 * same spec always yields the same bytes. The only state is a small cache of decoded references,
 * which saves time but never changes the output.
 */
import { createHash } from "node:crypto";
import { crc32, deflateSync, inflateSync } from "node:zlib";
import { decode as decodeJpeg } from "jpeg-js";
import { PNG } from "pngjs";
import { GLYPH_SIZE, glyph } from "./font.ts";

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

export interface DecodedImage {
  width: number;
  height: number;
  rgba: Uint8Array;
}

const MAX_SIDE = 2048;
const MAX_REFERENCES = 6;
// Checked before or while decoding, so an oversized or hostile reference cannot cost much memory
// or time: 24 MP covers a 6000x4000 photo, whose RGBA alone is 96 MB.
const MAX_REFERENCE_MP = 24;
const JPEG_MEMORY_MB = 200;

type Rgb = readonly [number, number, number];
/**
 * Packed RGB, 3 bytes per pixel: a third less memory and PNG input than RGBA. Clamped, so blends
 * and gradients round and saturate instead of wrapping around.
 */
interface Canvas {
  width: number;
  height: number;
  px: Uint8ClampedArray;
}

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
  const c: Canvas = { width, height, px: new Uint8ClampedArray(width * height * 3) };
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

/** Decodes PNG or JPEG to 8-bit RGBA; undefined for anything else, corrupt or too large. */
export function decodeImage(bytes: Uint8Array): DecodedImage | undefined {
  try {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (isPng(buf)) {
      // IHDR is always first: width and height at bytes 16..23.
      if (buf.length < 33 || buf.readUInt32BE(16) * buf.readUInt32BE(20) > MAX_REFERENCE_MP * 1e6) {
        return undefined;
      }
      const png = decodePlainPng(buf) ?? PNG.sync.read(buf);
      return checked(png.width, png.height, png.data);
    }
    if (buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) {
      const jpg = decodeJpeg(buf, {
        useTArray: true,
        formatAsRGBA: true,
        maxResolutionInMP: MAX_REFERENCE_MP,
        maxMemoryUsageInMB: JPEG_MEMORY_MB,
      });
      return checked(jpg.width, jpg.height, jpg.data);
    }
  } catch {
    // Corrupt input: callers treat it like an unknown format.
  }
  return undefined;
}

/**
 * Fast path for the PNGs references almost always are (8-bit RGB or RGBA, not interlaced, no
 * palette or tRNS: our own cards and most generators' output). pngjs decodes those 2-2.5x slower,
 * mostly in its per-pixel format conversion, and decoding dominates a card's render time.
 * Returns undefined for any other kind, which pngjs then handles; throws on corrupt data.
 */
function decodePlainPng(
  buf: Buffer,
): { width: number; height: number; data: Uint8Array } | undefined {
  if (buf.toString("latin1", 12, 16) !== "IHDR") throw new Error("PNG without leading IHDR");
  const width = buf.readUInt32BE(16);
  const height = buf.readUInt32BE(20);
  const [depth, colorType, , , interlace] = buf.subarray(24, 29);
  const bpp = colorType === 2 ? 3 : colorType === 6 ? 4 : 0;
  if (depth !== 8 || !bpp || interlace !== 0) return undefined;
  const idat: Buffer[] = [];
  for (let pos = 8; pos < buf.length; ) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString("latin1", pos + 4, pos + 8);
    if (pos + 12 + len > buf.length) throw new Error("truncated PNG");
    if (type === "PLTE" || type === "tRNS") return undefined;
    if (type === "IDAT") idat.push(buf.subarray(pos + 8, pos + 8 + len));
    if (type === "IEND") break;
    pos += 12 + len;
  }
  const stride = width * bpp;
  const raw = inflateSync(Buffer.concat(idat), { maxOutputLength: (stride + 1) * height });
  if (raw.length !== (stride + 1) * height) throw new Error("short PNG image data");
  const data = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride); // the row above; all zero for the first row, as the spec says
  let cur = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    unfilter(
      raw[y * (stride + 1)],
      raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)),
      cur,
      prev,
      bpp,
    );
    if (bpp === 4) data.set(cur, y * width * 4);
    else {
      for (let i = 0, o = y * width * 4; i < stride; i += 3, o += 4) {
        data[o] = cur[i] ?? 0;
        data[o + 1] = cur[i + 1] ?? 0;
        data[o + 2] = cur[i + 2] ?? 0;
        data[o + 3] = 255;
      }
    }
    [prev, cur] = [cur, prev];
  }
  return { width, height, data };
}

/** Reverses one row's PNG filter into `cur` (Uint8Array arithmetic wraps mod 256, as required). */
function unfilter(
  filter: number | undefined,
  line: Uint8Array,
  cur: Uint8Array,
  prev: Uint8Array,
  bpp: number,
) {
  const n = line.length;
  const left = (i: number) => (i < bpp ? 0 : (cur[i - bpp] ?? 0));
  switch (filter) {
    case 0:
      cur.set(line);
      break;
    case 1:
      for (let i = 0; i < n; i++) cur[i] = (line[i] ?? 0) + left(i);
      break;
    case 2:
      for (let i = 0; i < n; i++) cur[i] = (line[i] ?? 0) + (prev[i] ?? 0);
      break;
    case 3:
      for (let i = 0; i < n; i++) cur[i] = (line[i] ?? 0) + ((left(i) + (prev[i] ?? 0)) >> 1);
      break;
    case 4:
      for (let i = 0; i < n; i++) {
        const a = left(i);
        const b = prev[i] ?? 0;
        const c = i < bpp ? 0 : (prev[i - bpp] ?? 0);
        const pa = Math.abs(b - c); // = |p - a| for the Paeth estimate p = a + b - c
        const pb = Math.abs(a - c);
        const pc = Math.abs(a + b - 2 * c);
        cur[i] = (line[i] ?? 0) + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      }
      break;
    default:
      throw new Error(`bad PNG filter ${filter}`);
  }
}

function checked(width: number, height: number, rgba: Uint8Array): DecodedImage | undefined {
  return width > 0 && height > 0 && rgba.length === width * height * 4
    ? { width, height, rgba }
    : undefined;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function isPng(b: Buffer): boolean {
  return b.length >= 8 && PNG_SIGNATURE.equals(b.subarray(0, 8));
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

// --- drawing primitives --------------------------------------------------------------------

/** Fills a clipped rectangle, blending over what is there when alpha < 1. */
function fill(c: Canvas, x: number, y: number, w: number, h: number, rgb: Rgb, alpha: number) {
  const x0 = Math.max(0, Math.floor(x));
  const y0 = Math.max(0, Math.floor(y));
  const x1 = Math.min(c.width, Math.floor(x + w));
  const y1 = Math.min(c.height, Math.floor(y + h));
  const a = Math.round(alpha * 256);
  const keep = 256 - a;
  const [r, g, b] = [rgb[0] * a, rgb[1] * a, rgb[2] * a];
  const px = c.px;
  for (let yy = y0; yy < y1; yy++) {
    for (let o = (yy * c.width + x0) * 3, end = (yy * c.width + x1) * 3; o < end; o += 3) {
      px[o] = ((px[o] ?? 0) * keep + r) >> 8;
      px[o + 1] = ((px[o + 1] ?? 0) * keep + g) >> 8;
      px[o + 2] = ((px[o + 2] ?? 0) * keep + b) >> 8;
    }
  }
}

/**
 * A stand-in glyph for characters the bitmap font lacks (Chinese etc.): a few strokes on a 3x3
 * grid picked from the code point, so the text keeps its shape and the same character always
 * looks the same. The exact text is in the PNG's iTXt chunks.
 */
function blockGlyph(code: number): Uint8Array {
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

function drawLine(
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

// --- text layout ---------------------------------------------------------------------------

function codePoints(text: string): number[] {
  // Control characters (tabs, stray CR) would draw as blocks; show them as spaces.
  return Array.from(text, (ch) => {
    const code = ch.codePointAt(0) ?? 0x20;
    return code < 0x20 || code === 0x7f ? 0x20 : code;
  });
}

function ellipsize(line: number[], max: number): number[] {
  if (line.length <= max) return line;
  const dots = [0x2e, 0x2e, 0x2e].slice(0, Math.max(0, max));
  return [...line.slice(0, Math.max(0, max - dots.length)), ...dots];
}

/** Greedy wrap: breaks at spaces, and on either side of any non-ASCII (CJK) character. */
function wrap(text: string, max: number): number[][] {
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

function trimEnd(line: number[]): number[] {
  let end = line.length;
  while (end > 0 && line[end - 1] === 0x20) end--;
  return line.slice(0, end);
}

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

/** Scales to exactly w x h by averaging each source box (nearest when enlarging). */
function resample(img: DecodedImage, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * 4);
  const edges = (n: number, src: number) =>
    Int32Array.from({ length: n + 1 }, (_, d) => Math.floor((d * src) / n));
  const xs = edges(w, img.width);
  const ys = edges(h, img.height);
  const src = img.rgba;
  for (let y = 0, o = 0; y < h; y++) {
    const sy0 = ys[y] ?? 0;
    const sy1 = Math.max(sy0 + 1, ys[y + 1] ?? 0);
    for (let x = 0; x < w; x++) {
      const sx0 = xs[x] ?? 0;
      const sx1 = Math.max(sx0 + 1, xs[x + 1] ?? 0);
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = sy0; sy < sy1; sy++) {
        for (
          let i = (sy * img.width + sx0) * 4, end = (sy * img.width + sx1) * 4;
          i < end;
          i += 4
        ) {
          r += src[i] ?? 0;
          g += src[i + 1] ?? 0;
          b += src[i + 2] ?? 0;
          a += src[i + 3] ?? 0;
        }
      }
      const n = (sy1 - sy0) * (sx1 - sx0);
      out[o++] = r / n;
      out[o++] = g / n;
      out[o++] = b / n;
      out[o++] = a / n;
    }
  }
  return out;
}

/** Draws the image scaled into the rectangle, compositing any transparency over dark grey. */
function blit(c: Canvas, img: DecodedImage, dx: number, dy: number, dw: number, dh: number) {
  const rgba = resample(img, dw, dh);
  for (let y = 0; y < dh; y++) {
    const py = dy + y;
    if (py < 0 || py >= c.height) continue;
    for (let x = 0; x < dw; x++) {
      const px = dx + x;
      if (px < 0 || px >= c.width) continue;
      const i = (y * dw + x) * 4;
      const o = (py * c.width + px) * 3;
      const a = rgba[i + 3] ?? 255;
      for (let k = 0; k < 3; k++) c.px[o + k] = ((rgba[i + k] ?? 0) * a + 40 * (255 - a)) / 255;
    }
  }
}

/**
 * Thumbnails need far fewer pixels than a decoded reference has, and the same asset images are
 * referenced by shot after shot. So each reference is halved (2x2 average) until its long edge
 * is at most REFERENCE_EDGE, and kept in a small LRU keyed by content hash: the full decode is
 * dropped at once, and a cached reference costs one small resample. Cached or not, the pixels
 * go through the same steps, so the output stays deterministic.
 */
const REFERENCE_EDGE = 800;
const REFERENCE_CACHE_SIZE = 16; // at most ~40 MB, typically ~1 MB per 1024x1024 reference
const referenceCache = new Map<string, DecodedImage | null>();

function reference(bytes: Uint8Array): DecodedImage | undefined {
  const key = createHash("sha256").update(bytes).digest("base64");
  let ref = referenceCache.get(key);
  if (ref === undefined) {
    let img = decodeImage(bytes);
    while (img && Math.max(img.width, img.height) > REFERENCE_EDGE) img = halve(img);
    ref = img ?? null;
    if (referenceCache.size >= REFERENCE_CACHE_SIZE) {
      referenceCache.delete(referenceCache.keys().next().value ?? "");
    }
  }
  referenceCache.delete(key); // re-insert as the most recently used
  referenceCache.set(key, ref);
  return ref ?? undefined;
}

/** Half size (rounded down, at least 1) by averaging 2x2 blocks: cheap and alias-free. */
function halve(img: DecodedImage): DecodedImage {
  const w = Math.max(1, img.width >> 1);
  const h = Math.max(1, img.height >> 1);
  const src = img.rgba;
  const rowBytes = img.width * 4;
  const dx = img.width > 1 ? 4 : 0; // a 1-pixel-wide image averages each pixel with itself
  const dy = img.height > 1 ? rowBytes : 0;
  const out = new Uint8Array(w * h * 4);
  for (let y = 0, o = 0; y < h; y++) {
    // a, b: the top pair of a 2x2 block; c, d: the bottom pair. One channel per step.
    for (let a = y * 2 * rowBytes, end = a + w * 8; a < end; a += 8) {
      for (let k = 0; k < 4; k++) {
        const b = a + k + dx;
        const c = a + k + dy;
        out[o++] =
          ((src[a + k] ?? 0) + (src[b] ?? 0) + (src[c] ?? 0) + (src[c + dx] ?? 0) + 2) >> 2;
      }
    }
  }
  return { width: w, height: h, rgba: out };
}

// --- PNG encoding ----------------------------------------------------------------------------

/**
 * Writes the PNG container directly rather than through pngjs: pngjs cannot write text chunks,
 * and its row-by-row JS copy was a third of the render time. Rows go unfiltered into a fast
 * deflate, which on these cards is both the quickest and the smallest option measured (the
 * diagonal stripes repeat row to row, which LZ77 finds without any filtering). The text chunks
 * come before the pixel data so readers that stop at IDAT still see the exact prompt.
 */
function encodePng(c: Canvas, text: [keyword: string, value: string][]): Uint8Array {
  const stride = c.width * 3;
  const raw = Buffer.alloc((stride + 1) * c.height); // each row starts with filter byte 0 (None)
  for (let y = 0; y < c.height; y++) {
    raw.set(c.px.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(c.width, 0);
  ihdr.writeUInt32BE(c.height, 4);
  ihdr[8] = 8; // bit depth; colour type 2 (RGB) next, then compression, filter, interlace all 0
  ihdr[9] = 2;
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk("IHDR", ihdr),
    ...text.map(([keyword, value]) => chunk("iTXt", itxt(keyword, value))),
    chunk("IDAT", deflateSync(raw, { level: 1 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Uncompressed UTF-8 iTXt: keyword NUL, flag 0, method 0, language NUL, translation NUL, text. */
function itxt(keyword: string, value: string): Buffer {
  return Buffer.concat([
    Buffer.from(keyword, "latin1"),
    Buffer.from([0, 0, 0, 0, 0]),
    Buffer.from(value.replaceAll("\0", ""), "utf8"),
  ]);
}

function chunk(type: string, body: Uint8Array): Buffer {
  const out = Buffer.alloc(body.length + 12);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, "latin1");
  out.set(body, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}
