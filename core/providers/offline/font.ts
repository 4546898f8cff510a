/**
 * 8x8 bitmap font for printable ASCII (U+0020..U+007E), derived from the public-domain IBM PC
 * VGA ROM font. Each glyph is 16 hex digits = 8 row bytes, top row first; within a row bit 0 is
 * the leftmost pixel. Kept as hex strings so the table stays one readable line per character.
 */
const GLYPHS: readonly string[] = [
  "0000000000000000", // space
  "183C3C1818001800", // !
  "3636000000000000", // "
  "36367F367F363600", // #
  "0C3E031E301F0C00", // $
  "006333180C666300", // %
  "1C361C6E3B336E00", // &
  "0606030000000000", // '
  "180C0606060C1800", // (
  "060C1818180C0600", // )
  "00663CFF3C660000", // *
  "000C0C3F0C0C0000", // +
  "00000000000C0C06", // ,
  "0000003F00000000", // -
  "00000000000C0C00", // .
  "6030180C06030100", // /
  "3E63737B6F673E00", // 0
  "0C0E0C0C0C0C3F00", // 1
  "1E33301C06333F00", // 2
  "1E33301C30331E00", // 3
  "383C36337F307800", // 4
  "3F031F3030331E00", // 5
  "1C06031F33331E00", // 6
  "3F3330180C0C0C00", // 7
  "1E33331E33331E00", // 8
  "1E33333E30180E00", // 9
  "000C0C00000C0C00", // :
  "000C0C00000C0C06", // ;
  "180C0603060C1800", // <
  "00003F00003F0000", // =
  "060C1830180C0600", // >
  "1E3330180C000C00", // ?
  "3E637B7B7B031E00", // @
  "0C1E33333F333300", // A
  "3F66663E66663F00", // B
  "3C66030303663C00", // C
  "1F36666666361F00", // D
  "7F46161E16467F00", // E
  "7F46161E16060F00", // F
  "3C66030373667C00", // G
  "3333333F33333300", // H
  "1E0C0C0C0C0C1E00", // I
  "7830303033331E00", // J
  "6766361E36666700", // K
  "0F06060646667F00", // L
  "63777F7F6B636300", // M
  "63676F7B73636300", // N
  "1C36636363361C00", // O
  "3F66663E06060F00", // P
  "1E3333333B1E3800", // Q
  "3F66663E36666700", // R
  "1E33070E38331E00", // S
  "3F2D0C0C0C0C1E00", // T
  "3333333333333F00", // U
  "33333333331E0C00", // V
  "6363636B7F776300", // W
  "6363361C1C366300", // X
  "3333331E0C0C1E00", // Y
  "7F6331184C667F00", // Z
  "1E06060606061E00", // [
  "03060C1830604000", // \
  "1E18181818181E00", // ]
  "081C366300000000", // ^
  "00000000000000FF", // _
  "0C0C180000000000", // `
  "00001E303E336E00", // a
  "0706063E66663B00", // b
  "00001E3303331E00", // c
  "3830303E33336E00", // d
  "00001E333F031E00", // e
  "1C36060F06060F00", // f
  "00006E33333E301F", // g
  "0706366E66666700", // h
  "0C000E0C0C0C1E00", // i
  "300030303033331E", // j
  "070666361E366700", // k
  "0E0C0C0C0C0C1E00", // l
  "0000337F7F6B6300", // m
  "00001F3333333300", // n
  "00001E3333331E00", // o
  "00003B66663E060F", // p
  "00006E33333E3078", // q
  "00003B6E66060F00", // r
  "00003E031E301F00", // s
  "080C3E0C0C2C1800", // t
  "0000333333336E00", // u
  "00003333331E0C00", // v
  "0000636B7F7F3600", // w
  "000063361C366300", // x
  "00003333333E301F", // y
  "00003F190C263F00", // z
  "380C0C070C0C3800", // {
  "1818180018181800", // |
  "070C0C380C0C0700", // }
  "6E3B000000000000", // ~
];

export const GLYPH_SIZE = 8;
const FIRST = 0x20;

// Decoded once at module load: 95 glyphs x 8 rows, indexed by (code - FIRST) * 8 + row.
const ROWS = new Uint8Array(GLYPHS.length * GLYPH_SIZE);
GLYPHS.forEach((hex, g) => {
  for (let r = 0; r < GLYPH_SIZE; r++) {
    ROWS[g * GLYPH_SIZE + r] = Number.parseInt(hex.slice(r * 2, r * 2 + 2), 16);
  }
});

// A few non-ASCII characters that show up in our own labels ("OFFLINE · …", "1280×720") and in
// prompts often enough that drawing them as real glyphs beats the generic block pattern.
const EXTRA = new Map<number, Uint8Array>(
  (
    [
      [0x00b7, "0000001818000000"], // · middle dot
      [0x00d7, "0000663C183C6600"], // × multiplication sign
      [0x2022, "00183C3C18000000"], // • bullet
      [0x2013, "0000003F00000000"], // – en dash
      [0x2014, "000000FF00000000"], // — em dash
      [0x2026, "0000000000004900"], // … ellipsis (three dots in one cell)
      [0x3002, "000000000E0A0E00"], // 。 ideographic full stop
      [0x3001, "0000000000060C00"], // 、 ideographic comma
    ] as const
  ).map(([code, hex]) => [
    code,
    Uint8Array.from(hex.match(/../g) ?? [], (b) => Number.parseInt(b, 16)),
  ]),
);

// CJK punctuation with an obvious ASCII look-alike (besides the full-width block, handled below).
const ALIKE = new Map<number, string>([
  [0x201c, '"'],
  [0x201d, '"'],
  [0x2018, "'"],
  [0x2019, "'"],
  [0x300a, "<"],
  [0x300b, ">"],
  [0x3010, "["],
  [0x3011, "]"],
  [0x300c, "["],
  [0x300d, "]"],
  [0x3000, " "],
]);

/**
 * The 8 row bytes for a code point: printable ASCII, full-width ASCII forms (common in Chinese
 * text), a few punctuation marks; undefined when the font has nothing for it.
 */
export function glyph(code: number): Uint8Array | undefined {
  const extra = EXTRA.get(code);
  if (extra) return extra;
  const alike = ALIKE.get(code);
  if (alike !== undefined) return asciiGlyph(alike.charCodeAt(0));
  // U+FF01..U+FF5E are full-width copies of U+0021..U+007E at a fixed offset.
  if (code >= 0xff01 && code <= 0xff5e) return asciiGlyph(code - 0xfee0);
  return asciiGlyph(code);
}

function asciiGlyph(code: number): Uint8Array | undefined {
  const g = code - FIRST;
  if (g < 0 || g >= GLYPHS.length) return undefined;
  return ROWS.subarray(g * GLYPH_SIZE, (g + 1) * GLYPH_SIZE);
}
