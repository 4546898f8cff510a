/**
 * Reference images and a PNG chunk reader for the offline card tests. The images are written by
 * pngjs and jpeg-js, and the reader walks chunks itself, so no test trusts our own codec.
 */
import { crc32 } from "node:zlib";
import { encode as encodeJpeg } from "jpeg-js";
import { type PackerOptions, PNG } from "pngjs";
import { expect } from "vitest";

export function solidPng(width: number, height: number, rgb: [number, number, number]): Uint8Array {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) png.data.set([...rgb, 255], i * 4);
  return new Uint8Array(PNG.sync.write(png));
}

export function solidJpeg(
  width: number,
  height: number,
  rgb: [number, number, number],
): Uint8Array {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([...rgb, 255], i * 4);
  return new Uint8Array(encodeJpeg({ width, height, data }, 90).data);
}

/** Noise with alpha, rich enough that pngjs's adaptive filtering picks every filter type. */
export function noisyPng(width: number, height: number, options?: PackerOptions): Uint8Array {
  const png = new PNG({ width, height });
  for (let i = 0; i < png.data.length; i++) {
    png.data[i] = i % 4 === 3 ? (i * 13) % 256 : ((i * 7919) % 251) ^ (i >> 9);
  }
  return new Uint8Array(PNG.sync.write(png, options));
}

/** The chunk types in file order, checking every CRC and that nothing follows IEND. */
export function chunkTypes(png: Uint8Array): string[] {
  return chunks(png).map((c) => c.type);
}

/** The iTXt/tEXt texts by keyword, checking every CRC on the way. */
export function textChunks(png: Uint8Array): Map<string, string> {
  const texts = new Map<string, string>();
  for (const { type, body } of chunks(png)) {
    const nul = body.indexOf(0);
    const keyword = body.toString("latin1", 0, nul);
    if (type === "tEXt") texts.set(keyword, body.toString("latin1", nul + 1));
    if (type === "iTXt") {
      expect(body[nul + 1], "iTXt compression flag").toBe(0);
      const lang = body.indexOf(0, nul + 3);
      const translated = body.indexOf(0, lang + 1);
      texts.set(keyword, body.toString("utf8", translated + 1));
    }
  }
  return texts;
}

function chunks(png: Uint8Array): { type: string; body: Buffer }[] {
  const buf = Buffer.from(png);
  const out: { type: string; body: Buffer }[] = [];
  let pos = 8;
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString("latin1", pos + 4, pos + 8);
    expect(buf.readUInt32BE(pos + 8 + len), `${type} CRC`).toBe(
      crc32(buf.subarray(pos + 4, pos + 8 + len)),
    );
    out.push({ type, body: buf.subarray(pos + 8, pos + 8 + len) });
    pos += len + 12;
    if (type === "IEND") break;
  }
  expect(pos).toBe(buf.length);
  return out;
}
