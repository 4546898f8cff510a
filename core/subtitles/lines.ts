import {
  CLAUSE_END,
  CLOSING,
  isBreakableWide,
  lengthOf,
  lineCapOf,
  OPENING,
  SENTENCE_END,
} from "./script.ts";

/**
 * Long spoken lines become subtitle cues of at most two lines each: split first at sentence
 * ends, then at clause ends, and only then between words (Latin) or characters (CJK), never
 * inside a Latin word. A single word longer than a line (a URL) is left whole on its own line.
 */

/** The smallest unit a line can be broken around: a word, or one CJK character with its marks. */
interface Token {
  text: string;
  /** A space stood before it in the text (kept when the two end up on one line). */
  spaced: boolean;
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let word = "";
  let wordSpaced = false;
  let spaced = false;
  let opening = "";
  const flush = () => {
    if (word) tokens.push({ text: word, spaced: wordSpaced });
    word = "";
  };
  for (const ch of text) {
    if (/\s/u.test(ch)) {
      flush();
      spaced = tokens.length > 0 || opening !== "";
      continue;
    }
    if (CLOSING.has(ch) && word) {
      word += ch;
      continue;
    }
    const last = tokens.at(-1);
    if (CLOSING.has(ch) && !opening && last && !spaced) {
      // A closing mark never begins a line: it stays with what it closes.
      last.text += ch;
      continue;
    }
    if (OPENING.has(ch) && !word) {
      // An opening mark never ends a line: it goes with what follows.
      opening += ch;
      continue;
    }
    if (isBreakableWide(ch)) {
      flush();
      tokens.push({ text: opening + ch, spaced: spaced && tokens.length > 0 });
      opening = "";
      spaced = false;
      continue;
    }
    if (!word) {
      word = opening;
      opening = "";
      wordSpaced = spaced && tokens.length > 0;
      spaced = false;
    }
    word += ch;
  }
  flush();
  if (opening) tokens.push({ text: opening, spaced });
  return tokens;
}

export const join = (tokens: Token[]) =>
  tokens.map((t, i) => (i > 0 && t.spaced ? ` ${t.text}` : t.text)).join("");

const lastMark = (token: Token) => [...token.text.replace(/["'”’」』）)\]]+$/u, "")].at(-1) ?? "";
const endsSentence = (t: Token) => SENTENCE_END.has(lastMark(t));
const endsClause = (t: Token) => CLAUSE_END.has(lastMark(t));

/**
 * The best one- or two-line layout of tokens, or null when they need more than two lines. A line
 * over the cap is accepted only when it is one word that is longer than a line by itself.
 */
export function layout(tokens: Token[], cap: number): string[] | null {
  const whole = join(tokens);
  if (lengthOf(whole) <= cap || tokens.length === 1) return [whole];
  const acceptable = (part: Token[]) => part.length === 1 || lengthOf(join(part)) <= cap;
  let best: { lines: string[]; cost: number } | null = null;
  for (let i = 1; i < tokens.length; i++) {
    const top = tokens.slice(0, i);
    const bottom = tokens.slice(i);
    if (!acceptable(top) || !acceptable(bottom)) continue;
    const prev = tokens[i - 1] as Token;
    // Balanced lines read best; a break after punctuation keeps a phrase together.
    const cost =
      Math.abs(lengthOf(join(top)) - lengthOf(join(bottom))) -
      (endsSentence(prev) ? cap + 1 : endsClause(prev) ? cap / 2 + 1 : 0);
    if (!best || cost < best.cost) best = { lines: [join(top), join(bottom)], cost };
  }
  return best?.lines ?? null;
}

const fits = (tokens: Token[], cap: number) => layout(tokens, cap) !== null;

/** Splits tokens after every token that ends a sentence (or a clause). */
function splitAfter(tokens: Token[], ends: (t: Token) => boolean): Token[][] {
  const parts: Token[][] = [[]];
  for (const t of tokens) {
    (parts.at(-1) as Token[]).push(t);
    if (ends(t)) parts.push([]);
  }
  return parts.filter((p) => p.length > 0);
}

/** Consecutive parts joined while they still fit one cue. */
function group(parts: Token[][], cap: number): Token[][] {
  const groups: Token[][] = [];
  let current: Token[] = [];
  for (const part of parts) {
    if (current.length > 0 && fits([...current, ...part], cap)) current.push(...part);
    else {
      if (current.length > 0) groups.push(current);
      current = [...part];
    }
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** No punctuation left: as few cues as possible, of about equal length. */
function fill(tokens: Token[], cap: number): Token[][] {
  const greedy: Token[][] = [];
  let start = 0;
  while (start < tokens.length) {
    let end = start + 1;
    while (end < tokens.length && fits(tokens.slice(start, end + 1), cap)) end++;
    greedy.push(tokens.slice(start, end));
    start = end;
  }
  if (greedy.length < 2) return greedy;
  // Same number of cues, evened out: each ends near its share of the text, where it still fits.
  const even: Token[][] = [];
  start = 0;
  for (let n = greedy.length; n > 0 && start < tokens.length; n--) {
    const target = lengthOf(join(tokens.slice(start))) / n;
    let end = start + 1;
    while (
      end < tokens.length &&
      fits(tokens.slice(start, end + 1), cap) &&
      lengthOf(join(tokens.slice(start, end + 1))) <= target + cap / 4
    )
      end++;
    if (n === 1) end = tokens.length;
    even.push(tokens.slice(start, end));
    start = end;
  }
  return even.every((c) => fits(c, cap)) ? even : greedy;
}

function chunk(tokens: Token[], cap: number): Token[][] {
  if (fits(tokens, cap)) return [tokens];
  for (const ends of [endsSentence, endsClause]) {
    const parts = splitAfter(tokens, ends);
    if (parts.length > 1) return group(parts, cap).flatMap((g) => chunk(g, cap));
  }
  return fill(tokens, cap);
}

/**
 * One spoken line as cue texts: each an array of one or two lines within the line cap (42
 * characters, 16 for CJK text), split at sentence, then clause, then word boundaries.
 */
export function splitForCues(text: string): string[][] {
  const clean = text.replace(/\s+/gu, " ").trim();
  if (!clean) return [];
  const cap = lineCapOf(clean);
  return chunk(tokenize(clean), cap).map((tokens) => layout(tokens, cap) ?? [join(tokens)]);
}

/** How much of a line's time a cue gets: its share of the visible characters. */
export const weightOf = (lines: string[]) =>
  Math.max(1, lengthOf(lines.join("").replace(/\s/gu, "")));
