/**
 * The pixel layer under the offline cards: an RGB canvas, rectangle fills, scaled image blits and
 * a cache of shrunk references. Integer arithmetic throughout, no clock and no randomness, so the
 * same calls always leave the same pixels.
 */
import { createHash } from "node:crypto";
import { LruCache } from "../../lru.ts";
import { type DecodedImage, decodeImage, type RgbImage } from "./png.ts";

export type Rgb = readonly [number, number, number];

/**
 * Packed RGB, 3 bytes per pixel: a third less memory and PNG input than RGBA. Clamped, so blends
 * and gradients round and saturate instead of wrapping around.
 */
export interface Canvas extends RgbImage {
  px: Uint8ClampedArray;
}

export function canvas(width: number, height: number): Canvas {
  return { width, height, px: new Uint8ClampedArray(width * height * 3) };
}

/** Fills a clipped rectangle, blending over what is there when alpha < 1. */
export function fill(
  c: Canvas,
  x: number,
  y: number,
  w: number,
  h: number,
  rgb: Rgb,
  alpha: number,
) {
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

/** Scales to exactly w x h by averaging each source box (nearest when enlarging). */
export function resample(img: DecodedImage, w: number, h: number): Uint8Array {
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
export function blit(c: Canvas, img: DecodedImage, dx: number, dy: number, dw: number, dh: number) {
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
export const REFERENCE_EDGE = 800;
// At most ~40 MB, typically ~1 MB per 1024x1024 reference. Undecodable bytes are cached too
// (as undefined), so a bad reference on every shot is rejected once. Entries never expire: the
// key is the content, so an entry cannot go stale.
const referenceCache = new LruCache<string, DecodedImage | undefined>(16, Infinity);

/** A reference decoded and shrunk for thumbnails; undefined when it is not a usable image. */
export function reference(bytes: Uint8Array): DecodedImage | undefined {
  const key = createHash("sha256").update(bytes).digest("base64");
  const hit = referenceCache.get(key);
  if (hit) return hit.value;
  let img = decodeImage(bytes);
  while (img && Math.max(img.width, img.height) > REFERENCE_EDGE) img = halve(img);
  referenceCache.set(key, img);
  return img;
}

/** Half size (rounded down, at least 1) by averaging 2x2 blocks: cheap and alias-free. */
export function halve(img: DecodedImage): DecodedImage {
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
