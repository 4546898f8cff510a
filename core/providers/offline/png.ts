/**
 * PNG in and out for the offline cards, plus JPEG in. Decoding is on the hot path (references are
 * decoded for every card that uses them), so the common PNG kind has its own fast decoder; the
 * encoder writes the container directly because pngjs cannot write text chunks.
 */
import { crc32, deflateSync, inflateSync } from "node:zlib";
import { decode as decodeJpeg } from "jpeg-js";
import { PNG } from "pngjs";

/** 8-bit RGBA, 4 bytes per pixel, rows top to bottom. */
export interface DecodedImage {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/** 8-bit RGB, 3 bytes per pixel, rows top to bottom: what the encoder writes. */
export interface RgbImage {
  width: number;
  height: number;
  px: Uint8Array | Uint8ClampedArray;
}

// Checked before or while decoding, so an oversized or hostile reference cannot cost much memory
// or time: 24 MP covers a 6000x4000 photo, whose RGBA alone is 96 MB.
const MAX_REFERENCE_MP = 24;
const JPEG_MEMORY_MB = 200;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

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

function isPng(b: Buffer): boolean {
  return b.length >= 8 && PNG_SIGNATURE.equals(b.subarray(0, 8));
}

/**
 * Writes an RGB PNG with UTF-8 text chunks. Rows go unfiltered into a fast deflate, which on the
 * cards is both the quickest and the smallest option measured (their diagonal stripes repeat row
 * to row, which LZ77 finds without any filtering); pngjs's row-by-row JS copy was a third of the
 * render time. The text chunks come before the pixel data so readers that stop at IDAT still see
 * the exact text.
 */
export function encodePng(image: RgbImage, text: [keyword: string, value: string][]): Uint8Array {
  const stride = image.width * 3;
  const raw = Buffer.alloc((stride + 1) * image.height); // each row starts with filter byte 0 (None)
  for (let y = 0; y < image.height; y++) {
    raw.set(image.px.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(image.width, 0);
  ihdr.writeUInt32BE(image.height, 4);
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
