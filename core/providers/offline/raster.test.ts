import { describe, expect, it } from "vitest";
import { noisyPng, solidPng } from "../../../test/support/images.ts";
import { decodeImage } from "./png.ts";
import { blit, canvas, fill, halve, REFERENCE_EDGE, reference, resample } from "./raster.ts";

const rgba = (width: number, height: number, values: number[]) => ({
  width,
  height,
  rgba: Uint8Array.from(values),
});

describe("fill", () => {
  it("blends by alpha and clips to the canvas", () => {
    const c = canvas(2, 2);
    fill(c, -5, -5, 6, 6, [200, 100, 0], 1); // only (0, 0) is inside
    fill(c, 1, 0, 9, 9, [255, 255, 255], 0.5);
    // 255 * 128 >> 8: the blend rounds down, so half white over black is 127.
    expect([...c.px]).toEqual([200, 100, 0, 127, 127, 127, 0, 0, 0, 127, 127, 127]);
  });
});

describe("resample and halve", () => {
  it("averages boxes when shrinking and repeats pixels when enlarging", () => {
    const img = rgba(2, 1, [0, 0, 0, 255, 200, 100, 50, 255]);
    expect([...resample(img, 1, 1)]).toEqual([100, 50, 25, 255]);
    expect([...resample(img, 4, 1)]).toEqual([
      ...[0, 0, 0, 255, 0, 0, 0, 255],
      ...[200, 100, 50, 255, 200, 100, 50, 255],
    ]);
  });

  it("halves by rounding 2x2 averages, a 1-pixel side against itself", () => {
    const img = rgba(2, 2, [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4]);
    expect(halve(img)).toEqual(rgba(1, 1, [2, 2, 2, 2])); // (0 + 1 + 2 + 4 + 2) >> 2
    const column = rgba(1, 2, [10, 20, 30, 40, 30, 40, 50, 60]);
    expect(halve(column)).toEqual(rgba(1, 1, [20, 30, 40, 50]));
  });
});

describe("blit", () => {
  it("composites transparency over dark grey and clips", () => {
    const c = canvas(2, 1);
    blit(c, rgba(2, 1, [255, 255, 255, 255, 255, 0, 0, 0]), 1, 0, 2, 1);
    expect([...c.px]).toEqual([0, 0, 0, 255, 255, 255]);
    blit(c, rgba(1, 1, [255, 0, 0, 0]), 0, 0, 1, 1);
    expect([...c.px.subarray(0, 3)]).toEqual([40, 40, 40]);
  });
});

describe("reference", () => {
  it("shrinks large references by halving and reuses the cached result", () => {
    const bytes = noisyPng(1900, 1000, { colorType: 2 });
    const ref = reference(bytes);
    expect(ref).toMatchObject({ width: 475, height: 250 }); // 1900 → 950 → 475 ≤ REFERENCE_EDGE
    expect(Math.max(ref?.width ?? 0, ref?.height ?? 0)).toBeLessThanOrEqual(REFERENCE_EDGE);
    expect(reference(Uint8Array.from(bytes))).toBe(ref); // keyed by content, not by buffer
    const full = decodeImage(bytes);
    if (!full) throw new Error("undecodable");
    expect(ref).toEqual(halve(halve(full)));
  });

  it("keeps small references as decoded and skips undecodable ones", () => {
    const small = solidPng(64, 48, [1, 2, 3]);
    expect(reference(small)).toEqual(decodeImage(small));
    expect(reference(new Uint8Array([1, 2, 3]))).toBeUndefined();
  });
});
