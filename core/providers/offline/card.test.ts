import { createHash } from "node:crypto";
import { encode as encodeJpeg } from "jpeg-js";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { noisyPng, solidJpeg, solidPng, textChunks } from "../../../test/support/images.ts";
import { aspectSize, type CardSpec, renderCard } from "./card.ts";
import { decodeImage } from "./png.ts";

const PROMPT =
  "A lone fox crosses a misty pine forest at dawn; cinematic wide shot.\n" +
  "一只孤独的狐狸在黎明时分穿过薄雾笼罩的松林，金色的阳光从树干间洒落。";

const base: CardSpec = {
  width: 1280,
  height: 720,
  title: "Shot 3 · 林间小屋",
  prompt: PROMPT,
  label: "OFFLINE · gemini-3.1-flash-image",
  seed: "林间小屋",
};

/** Number of pixels that differ in a rectangle of two same-sized decoded images. */
function diffIn(
  a: Uint8Array,
  b: Uint8Array,
  rect: { x: number; y: number; w: number; h: number },
) {
  const A = decodeImage(a);
  const B = decodeImage(b);
  if (!A || !B) throw new Error("undecodable");
  let n = 0;
  for (let y = rect.y; y < rect.y + rect.h; y++) {
    for (let x = rect.x; x < rect.x + rect.w; x++) {
      const i = (y * A.width + x) * 4;
      if (A.rgba[i] !== B.rgba[i] || A.rgba[i + 1] !== B.rgba[i + 1]) n++;
    }
  }
  return n;
}

function pixel(png: Uint8Array, x: number, y: number): [number, number, number] {
  const img = decodeImage(png);
  if (!img) throw new Error("undecodable");
  const i = (y * img.width + x) * 4;
  return [img.rgba[i] ?? -1, img.rgba[i + 1] ?? -1, img.rgba[i + 2] ?? -1];
}

// Bottom-left of a 1280x720 card, where the first thumbnail goes.
const THUMB_AREA = { x: 25, y: 540, w: 200, h: 150 };

describe("renderCard", () => {
  it("produces a valid PNG of the requested size, capped at 2048", () => {
    const png = renderCard(base);
    const read = PNG.sync.read(Buffer.from(png)); // pngjs checks every CRC and the zlib stream
    expect([read.width, read.height]).toEqual([1280, 720]);
    expect(decodeImage(png)).toMatchObject({ width: 1280, height: 720 });

    const square = decodeImage(renderCard({ ...base, width: 1024, height: 1024 }));
    expect([square?.width, square?.height]).toEqual([1024, 1024]);
    const capped = decodeImage(renderCard({ ...base, width: 5000, height: 64 }));
    expect([capped?.width, capped?.height]).toEqual([2048, 64]);
    const tiny = decodeImage(renderCard({ ...base, width: 16, height: 16 }));
    expect([tiny?.width, tiny?.height]).toEqual([16, 16]);
  });

  it("is deterministic and tinted by the seed", () => {
    const a = renderCard(base);
    expect(Buffer.from(renderCard({ ...base })).equals(a)).toBe(true);
    const other = renderCard({ ...base, seed: "another asset" });
    expect(Buffer.from(other).equals(a)).toBe(false);
    // Visibly different: compare a background pixel away from all text.
    const [r1, g1, b1] = pixel(a, 1270, 700);
    const [r2, g2, b2] = pixel(other, 1270, 700);
    expect(Math.abs(r1 - r2) + Math.abs(g1 - g2) + Math.abs(b1 - b2)).toBeGreaterThan(20);
  });

  it("stores the exact title, prompt and label as UTF-8 text chunks", () => {
    const texts = textChunks(renderCard(base));
    expect(texts.get("Description")).toBe(PROMPT);
    expect(texts.get("Title")).toBe(base.title);
    expect(texts.get("Software")).toBe(base.label);
  });

  it("draws references as thumbnails, the same bytes whether cached or not", () => {
    const refs = [solidPng(300, 200, [250, 20, 20]), solidPng(64, 64, [20, 250, 20])];
    const plain = renderCard({ ...base, prompt: "short" });
    const cold = renderCard({ ...base, prompt: "short", references: refs });
    const warm = renderCard({ ...base, prompt: "short", references: refs });
    expect(Buffer.from(warm).equals(cold)).toBe(true);
    expect(diffIn(plain, cold, THUMB_AREA)).toBeGreaterThan(THUMB_AREA.w * THUMB_AREA.h * 0.5);
    const [r, g, b] = pixel(cold, 100, 615);
    expect(r).toBeGreaterThan(200);
    expect(g + b).toBeLessThan(80);
  });

  it("ignores references that are not decodable images", () => {
    const good = solidPng(40, 40, [0, 0, 255]);
    const truncated = good.subarray(0, good.length - 30);
    const garbage = new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3, 4, 5]);
    const text = new TextEncoder().encode("not an image");

    const onlyGood = renderCard({ ...base, references: [good] });
    const mixed = renderCard({ ...base, references: [text, truncated, good, garbage] });
    expect(Buffer.from(mixed).equals(onlyGood)).toBe(true);

    const onlyBad = renderCard({ ...base, references: [truncated, garbage, new Uint8Array()] });
    expect(Buffer.from(onlyBad).equals(renderCard(base))).toBe(true);
  });

  it("accepts JPEG references", () => {
    const jpeg = solidJpeg(64, 48, [240, 30, 30]);
    expect(decodeImage(jpeg)).toMatchObject({ width: 64, height: 48 });
    const png = renderCard({ ...base, prompt: "short", references: [jpeg] });
    const [r, g, b] = pixel(png, 100, 615);
    expect(r).toBeGreaterThan(200);
    expect(g + b).toBeLessThan(100);
  });

  it("keeps at most six references", () => {
    const refs = Array.from({ length: 8 }, (_, i) => solidPng(32, 32, [i * 30, 100, 100]));
    const six = renderCard({ ...base, references: refs.slice(0, 6) });
    expect(Buffer.from(renderCard({ ...base, references: refs })).equals(six)).toBe(true);
  });

  it("copes with empty and very long text", () => {
    const empty = renderCard({ ...base, title: "", prompt: "", label: "" });
    expect(decodeImage(empty)).toMatchObject({ width: 1280, height: 720 });
    const long = renderCard({ ...base, prompt: `${"长".repeat(5000)} ${"word ".repeat(2000)}` });
    expect(textChunks(long).get("Description")).toHaveLength(5000 + 1 + 10_000);
  });
});

describe("renderCard pixels", () => {
  function gradientJpeg(width: number, height: number): Uint8Array {
    const data = Buffer.alloc(width * height * 4);
    for (let i = 0; i < width * height; i++)
      data.set([(i * 7) % 256, (i * 3) % 256, 200, 255], i * 4);
    return new Uint8Array(encodeJpeg({ width, height, data }, 85).data);
  }

  const cjk = {
    ...base,
    prompt:
      "A lone fox crosses a misty pine forest at dawn.\n一只孤独的狐狸在黎明时分穿过薄雾笼罩的松林。",
  };

  // SHA-256 of the pixels as pngjs decodes them, recorded from the single-file renderer before
  // it was split into png/raster/lettering/card. Pixels rather than file bytes: zlib builds may
  // compress the same rows differently, but the picture must not move. A deliberate change to
  // the look updates these.
  it.each<[string, CardSpec, string]>([
    [
      "landscape",
      { ...cjk, width: 1280, height: 720 },
      "195a963bbd59633eb0371937cee4b0f02ab691646d566cbadab57ecb6cea6469",
    ],
    [
      "portrait, other seed",
      { ...cjk, width: 720, height: 1280, seed: "other" },
      "c893ae551db73be906fccb304cbcdb22e8c25cc26e81421ea33455a417b041a8",
    ],
    [
      "PNG and JPEG references",
      {
        ...cjk,
        width: 1024,
        height: 1024,
        references: [solidPng(300, 200, [250, 20, 20]), gradientJpeg(64, 48)],
      },
      "71c1cb3bab7bf0c8659a8de13130ebb05120b8bb9cadfa90d61857650ab4ab24",
    ],
    [
      "tiny",
      { ...cjk, width: 16, height: 16 },
      "f4507a5f1efe8e3ecf320ade7c81cf675c7e6409fbf0f970e7be99964b7153e5",
    ],
    [
      "halved and RGBA references",
      {
        ...cjk,
        width: 1280,
        height: 720,
        prompt: "short",
        references: [
          noisyPng(1900, 1000, { colorType: 2 }),
          noisyPng(37, 23, { colorType: 6 }),
          gradientJpeg(640, 480),
          new Uint8Array([1, 2, 3]),
        ],
      },
      "3cb7695c36b976b2a21da9d04f2e7f82a96378aa1f82ed2ae32f9f116f559ddc",
    ],
    [
      "long wrapped CJK, empty title and label",
      {
        ...cjk,
        width: 960,
        height: 1280,
        title: "",
        prompt: `${"长".repeat(500)} ${"word ".repeat(200)}\tx\r\ny`,
        label: "",
      },
      "a459a7825e0541f6c5f72567996847bc83b1ed29ac8d181cab1eeec51ad6d1c5",
    ],
  ])("%s: the same pixels as before the split", (_, spec, sha256) => {
    const pixels = PNG.sync.read(Buffer.from(renderCard(spec))).data;
    expect(createHash("sha256").update(pixels).digest("hex")).toBe(sha256);
  });
});

describe("aspectSize", () => {
  it.each([
    ["16:9", 1280, 720],
    ["9:16", 720, 1280],
    ["1:1", 1280, 1280],
    ["4:3", 1280, 960],
    ["3:4", 960, 1280],
    [" 21 : 9 ", 1280, 549],
  ])("%s → %ix%i", (ratio, width, height) => {
    expect(aspectSize(ratio)).toEqual({ width, height });
  });

  it("takes a long edge", () => {
    expect(aspectSize("1:1", 1024)).toEqual({ width: 1024, height: 1024 });
    expect(aspectSize("16:9", 1920)).toEqual({ width: 1920, height: 1080 });
  });

  it.each(["", "16x9", "16:", ":9", "0:9", "16:0", "a:b", "16:9:1", "-16:9"])(
    "rejects %j",
    (ratio) => {
      expect(() => aspectSize(ratio)).toThrow(RangeError);
    },
  );

  it("rejects a bad long edge", () => {
    for (const edge of [0, 1.5, 4096, Number.NaN]) {
      expect(() => aspectSize("16:9", edge)).toThrow(RangeError);
    }
  });
});
