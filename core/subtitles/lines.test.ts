import { describe, expect, it } from "vitest";
import { splitForCues, tokenize } from "./lines.ts";
import {
  isCjkText,
  languageOf,
  MAX_CJK_LINE,
  MAX_LATIN_LINE,
  MAX_LINES_PER_CUE,
} from "./script.ts";

const long =
  "The lighthouse keeper climbed the stairs every night, counting each step as he went, " +
  "because his father had taught him that a keeper who stops counting stops keeping.";

/** Every cue within the limits; every word of the text kept whole and in order. */
function expectWithinLimits(text: string, cap: number) {
  const cues = splitForCues(text);
  for (const cue of cues) {
    expect(cue.length).toBeGreaterThan(0);
    expect(cue.length).toBeLessThanOrEqual(MAX_LINES_PER_CUE);
    for (const line of cue) expect([...line].length).toBeLessThanOrEqual(cap);
  }
  return cues;
}

describe("Latin lines", () => {
  it("keeps a short line as one cue of one line", () => {
    expect(splitForCues("  Hello   there. ")).toEqual([["Hello there."]]);
  });

  it("wraps a line over 42 characters onto two balanced lines", () => {
    const cues = expectWithinLimits("A quiet harbour town wakes up slowly under the grey sky", 42);
    expect(cues).toEqual([["A quiet harbour town wakes", "up slowly under the grey sky"]]);
  });

  it("splits a long line into cues at clause ends, ≤ 42 characters a line, ≤ 2 lines a cue", () => {
    const cues = expectWithinLimits(long, MAX_LATIN_LINE);
    expect(cues.length).toBeGreaterThan(1);
    // Each cue ends where a clause or the sentence ends.
    for (const cue of cues) expect(cue.at(-1)).toMatch(/[,.]$/);
    expect(cues.flat().join(" ")).toBe(long);
  });

  it("splits at sentence ends first, through closing quotes", () => {
    const text =
      'He shouted, "Stop right there." Then he ran down the long corridor towards the exit door.';
    const cues = expectWithinLimits(text, MAX_LATIN_LINE);
    expect(cues[0]).toEqual(['He shouted, "Stop right there."']);
    expect(cues.flat().join(" ")).toBe(text);
  });

  it("never breaks inside a word, even without punctuation", () => {
    const words = Array.from({ length: 40 }, (_, i) => `word${i}`);
    const cues = expectWithinLimits(words.join(" "), MAX_LATIN_LINE);
    expect(cues.flat().flatMap((l) => l.split(" "))).toEqual(words);
  });

  it("leaves a word longer than a line whole, on a line of its own", () => {
    const url = "https://example.com/a/very/long/path/that/cannot/be/broken/anywhere";
    const cues = splitForCues(`Visit ${url} today`);
    expect(cues.flat()).toContain(url);
  });
});

describe("CJK lines", () => {
  const zh =
    "这是一个非常长的句子，它包含了很多的中文字符，我们需要在标点符号处把它分开。" +
    "第二句话也很长，需要继续分割成好几个字幕。";

  it("counts each CJK character once and caps CJK lines at 16", () => {
    expect(isCjkText(zh)).toBe(true);
    expect(isCjkText("Hello 世界 and friends")).toBe(false);
    const cues = expectWithinLimits(zh, MAX_CJK_LINE);
    expect(cues.flat().join("")).toBe(zh);
  });

  it("breaks at 。！？，、；： and never starts a line with one", () => {
    const cues = expectWithinLimits(zh, MAX_CJK_LINE);
    for (const line of cues.flat()) {
      expect(line).toMatch(/[，。]$/);
      expect(line).not.toMatch(/^[，。、；：！？]/);
    }
  });

  it("breaks between characters when there is no punctuation, but not inside a Latin word", () => {
    const text =
      "没有标点的很长很长很长很长很长很长很长很长很长很长的中文句子需要在New York按字符分开显示";
    const cues = expectWithinLimits(text, MAX_CJK_LINE);
    expect(cues.flat().join("").replaceAll(" ", "")).toBe(text.replaceAll(" ", ""));
    expect(cues.flat().flatMap((l) => l.match(/[A-Za-z]+/g) ?? [])).toEqual(["New", "York"]);
  });

  it("keeps brackets with what they enclose", () => {
    const tokens = tokenize("「你好」，他说。").map((t) => t.text);
    expect(tokens).toEqual(["「你", "好」，", "他", "说。"]);
  });

  it("keeps Japanese sentences apart and Korean words whole", () => {
    const ja = "東京の夜は静かだった。彼女は窓の外を見つめながら、昔のことを思い出していた。";
    expect(expectWithinLimits(ja, MAX_CJK_LINE)[0]).toEqual(["東京の夜は静かだった。"]);
    const ko =
      "안녕하세요 저는 오늘 아침에 시장에 가서 사과와 배를 샀습니다 그리고 집에 돌아왔어요";
    const words = expectWithinLimits(ko, MAX_CJK_LINE)
      .flat()
      .flatMap((l) => l.split(" "));
    expect(words).toEqual(ko.split(" "));
  });
});

describe("track language", () => {
  it("is read from the script", () => {
    expect(languageOf("Hello there")).toBe("eng");
    expect(languageOf("你好，世界")).toBe("zho");
    expect(languageOf("こんにちは世界")).toBe("jpn");
    expect(languageOf("안녕하세요")).toBe("kor");
    expect(languageOf("Привет, мир")).toBe("rus");
  });
});
