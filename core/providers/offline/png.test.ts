import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { chunkTypes, noisyPng, solidPng, textChunks } from "../../../test/support/images.ts";
import { decodeImage, encodePng } from "./png.ts";

describe("decodeImage", () => {
  it.each([
    ["RGB", 2, 0],
    ["RGB", 2, 1],
    ["RGB", 2, 2],
    ["RGB", 2, 3],
    ["RGB", 2, 4],
    ["RGB", 2, -1],
    ["RGBA", 6, -1],
    ["grey (via pngjs)", 0, -1],
    ["grey+alpha (via pngjs)", 4, -1],
  ] as const)(
    "decodes %s (colour type %i, filter %i) exactly like pngjs",
    (_, colorType, filterType) => {
      const bytes = Buffer.from(noisyPng(37, 23, { colorType, filterType }));
      const expected = PNG.sync.read(bytes).data;
      const got = decodeImage(bytes);
      expect(got).toMatchObject({ width: 37, height: 23 });
      expect(Buffer.from(got?.rgba ?? []).equals(expected)).toBe(true);
    },
  );

  it("returns undefined for anything but a valid PNG or JPEG", () => {
    expect(decodeImage(new Uint8Array())).toBeUndefined();
    expect(decodeImage(new TextEncoder().encode("GIF89a..."))).toBeUndefined();
    expect(decodeImage(solidPng(4, 4, [1, 2, 3]).subarray(0, 40))).toBeUndefined();
    expect(decodeImage(solidPng(4, 4, [1, 2, 3]))).toMatchObject({ width: 4, height: 4 });
  });
});

describe("encodePng", () => {
  // 5x3 with distinct values in every channel, so a swapped row or channel shows.
  const image = {
    width: 5,
    height: 3,
    px: Uint8ClampedArray.from({ length: 5 * 3 * 3 }, (_, i) => (i * 37) % 256),
  };

  it("writes RGB pixels that pngjs reads back exactly", () => {
    const read = PNG.sync.read(Buffer.from(encodePng(image, [])));
    expect([read.width, read.height]).toEqual([5, 3]);
    const rgb = Array.from({ length: 15 }, (_, p) => [...read.data.subarray(p * 4, p * 4 + 3)]);
    expect(rgb.flat()).toEqual([...image.px]);
    expect(read.data.filter((_, i) => i % 4 === 3).every((a) => a === 255)).toBe(true);
  });

  it("stores UTF-8 text before the pixel data, dropping NULs", () => {
    const png = encodePng(image, [
      ["Title", "林间小屋 · shot 3"],
      ["Description", "a\0b"],
    ]);
    // Readers that stop at the first IDAT must still see the text.
    expect(chunkTypes(png)).toEqual(["IHDR", "iTXt", "iTXt", "IDAT", "IEND"]);
    const texts = textChunks(png);
    expect(texts.get("Title")).toBe("林间小屋 · shot 3");
    expect(texts.get("Description")).toBe("ab");
  });
});
