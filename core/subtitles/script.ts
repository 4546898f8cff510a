/**
 * What a subtitle line is written in, as far as breaking and measuring it goes. Chinese and
 * Japanese have no spaces between words: a line may break between any two of their characters
 * (never before a closing mark such as 。 or 」), while Latin, Cyrillic and Korean words are kept
 * whole and break only at spaces.
 */

/** Han, kana, CJK symbols and punctuation, full-width forms: a line may break around each. */
const BREAKABLE_WIDE =
  /[\u2E80-\u2FDF\u3000-\u30FF\u3190-\u31FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFFEF\u{20000}-\u{3134F}]/u;

/** Hangul: wide like Han, but Korean puts spaces between words, so it breaks at spaces. */
const HANGUL = /[\u1100-\u11FF\u3130-\u318F\uAC00-\uD7AF]/u;

export const isBreakableWide = (ch: string) => BREAKABLE_WIDE.test(ch);
export const isWide = (ch: string) => BREAKABLE_WIDE.test(ch) || HANGUL.test(ch);

/** Marks that may not begin a line (kinsoku): they stay with the character before them. */
export const CLOSING = new Set([..."。．，、；：！？）」』】〕〉》〗〙〛”’…ー々〜・,.;:!?)]}%"]);
/** Marks that may not end a line: they stay with the character after them. */
export const OPENING = new Set([..."（「『【〔〈《〖〘〚“‘([{"]);

/** Ends a sentence: the best place to split a long line. */
export const SENTENCE_END = new Set([..."。！？.!?…"]);
/** Ends a clause: the next best place. */
export const CLAUSE_END = new Set([..."，、；：,;:—–"]);

/**
 * Characters per line. 42 is the usual broadcast and streaming limit for Latin scripts; a
 * Chinese, Japanese or Korean character is as wide as about two Latin ones, so those lines get 16
 * (the per-line limit streaming style guides give for Chinese, Japanese and Korean). Every
 * character counts as 1 either way.
 */
export const MAX_LATIN_LINE = 42;
export const MAX_CJK_LINE = 16;
export const MAX_LINES_PER_CUE = 2;

/** A text counts as CJK when most of its visible characters are wide. */
export function isCjkText(text: string): boolean {
  const visible = [...text].filter((ch) => !/\s/u.test(ch));
  const wide = visible.filter(isWide).length;
  return visible.length > 0 && wide * 2 >= visible.length;
}

export const lineCapOf = (text: string) => (isCjkText(text) ? MAX_CJK_LINE : MAX_LATIN_LINE);

/** Length in characters (code points, so a character outside the BMP counts once). */
export const lengthOf = (text: string) => [...text].length;

/**
 * The ISO 639-2 code of a subtitle track, from its script: kana → Japanese, Hangul → Korean, Han
 * → Chinese, Cyrillic → Russian, Arabic, Hebrew, Greek, Thai; anything else is tagged English
 * (projects have no language setting; the narrator's voice is English unless set otherwise).
 */
export function languageOf(text: string): string {
  const count = (re: RegExp) => [...text].filter((ch) => re.test(ch)).length;
  if (count(/[\u3040-\u30FF]/u) > 0) return "jpn";
  if (count(HANGUL) > 0) return "kor";
  if (count(/[\u3400-\u4DBF\u4E00-\u9FFF\u{20000}-\u{3134F}]/u) > 0) return "zho";
  const scripts: [RegExp, string][] = [
    [/[\u0400-\u04FF]/u, "rus"],
    [/[\u0600-\u06FF]/u, "ara"],
    [/[\u0590-\u05FF]/u, "heb"],
    [/[\u0370-\u03FF]/u, "ell"],
    [/[\u0E00-\u0E7F]/u, "tha"],
  ];
  const latin = count(/[A-Za-z\u00C0-\u024F]/u);
  for (const [re, code] of scripts) if (count(re) > latin) return code;
  return "eng";
}
