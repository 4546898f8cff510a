import { describe, expect, it } from "vitest";
import { glyph } from "./font.ts";
import { blockGlyph, codePoints, drawLine, ellipsize, wrap } from "./lettering.ts";
import { canvas } from "./raster.ts";

const text = (line: number[]) => String.fromCodePoint(...line);

describe("codePoints and ellipsize", () => {
  it("shows control characters as spaces and counts astral characters once", () => {
    expect(text(codePoints("a\tb\r\x7f😀"))).toBe("a b  😀");
  });

  it("cuts with an ellipsis only when the line is too long", () => {
    expect(text(ellipsize(codePoints("abcdef"), 6))).toBe("abcdef");
    expect(text(ellipsize(codePoints("abcdefg"), 6))).toBe("abc...");
    expect(text(ellipsize(codePoints("abcdefg"), 2))).toBe("..");
  });
});

describe("wrap", () => {
  it("breaks at spaces, keeps paragraphs and drops trailing spaces", () => {
    expect(wrap("the quick brown fox\r\njumps", 10).map(text)).toEqual([
      "the quick",
      "brown fox",
      "jumps",
    ]);
  });

  it("breaks beside CJK characters and inside words too long for a line", () => {
    expect(wrap("狐狸在松林abc", 4).map(text)).toEqual(["狐狸在松", "林abc"]);
    expect(wrap("abcdefghij", 4).map(text)).toEqual(["abcd", "efgh", "ij"]);
  });
});

describe("glyphs", () => {
  it("gives characters the font lacks a stable, readable stand-in", () => {
    expect(glyph(0x6797)).toBeUndefined(); // 林
    const a = blockGlyph(0x6797);
    expect(blockGlyph(0x6797)).toEqual(a);
    expect(blockGlyph(0x5c71)).not.toEqual(a);
    expect(a.filter((row) => row !== 0).length).toBeGreaterThanOrEqual(4);
  });

  it("draws a glyph's set bits as scaled squares and skips spaces", () => {
    const c = canvas(32, 16);
    drawLine(c, codePoints(" I"), 0, 0, 2, [255, 255, 255]);
    const lit = (x: number, y: number) => c.px[(y * 32 + x) * 3] === 255;
    const rows = glyph(0x49) ?? new Uint8Array();
    for (let y = 0; y < 16; y++) {
      for (let x = 0; x < 32; x++) {
        const inGlyph = x >= 16 && (((rows[y >> 1] ?? 0) >> ((x - 16) >> 1)) & 1) === 1;
        expect(lit(x, y), `(${x}, ${y})`).toBe(inGlyph);
      }
    }
  });
});
