import { describe, expect, it } from "vitest";
import { cuesOf, type ShotSpeech } from "./cues.ts";

const long =
  "The lighthouse keeper climbed the stairs every night, counting each step as he went, " +
  "because his father had taught him that a keeper who stops counting stops keeping.";

const shots: ShotSpeech[] = [
  { storyboard_id: 11, start: 0, end: 4, lines: [{ text: "First shot.", start: 0.5, end: 2 }] },
  {
    storyboard_id: 12,
    // A dissolve: this shot starts before the previous one ends.
    start: 3.5,
    end: 9.25,
    lines: [
      { text: long, start: 0.2, end: 5.2 },
      // Runs past the shot's end: cut there.
      { text: "Too long for the shot.", start: 5.5, end: 7 },
      // Wholly after the shot: dropped.
      { text: "Never shown.", start: 6, end: 7 },
    ],
  },
  { storyboard_id: 13, start: 9.25, end: 10.0005, lines: [{ text: "你好。", start: -1, end: 2 }] },
];

describe("cues", () => {
  const cues = cuesOf(shots);

  it("are placed at the shot's start plus the line's own times", () => {
    expect(cues[0]).toEqual({
      storyboard_id: 11,
      start_ms: 500,
      end_ms: 2000,
      lines: ["First shot."],
    });
    const second = cues.filter((c) => c.storyboard_id === 12);
    expect(second[0]?.start_ms).toBe(3700);
  });

  it("stay inside their shot's window", () => {
    expect(cues.length).toBeGreaterThan(3);
    for (const cue of cues) {
      const shot = shots.find((s) => s.storyboard_id === cue.storyboard_id) as ShotSpeech;
      expect(cue.start_ms / 1000).toBeGreaterThanOrEqual(shot.start);
      expect(cue.end_ms / 1000).toBeLessThanOrEqual(shot.end);
      expect(cue.end_ms).toBeGreaterThan(cue.start_ms);
    }
    expect(cues.find((c) => c.lines.includes("Too long for the shot."))?.end_ms).toBe(9250);
    expect(cues.some((c) => c.lines.includes("Never shown."))).toBe(false);
    expect(cues.find((c) => c.storyboard_id === 13)).toMatchObject({
      start_ms: 9250,
      end_ms: 10000,
    });
  });

  it("share a split line's time by length, back to back", () => {
    const parts = cues.filter((c) => c.storyboard_id === 12 && c.start_ms < 8700);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts[0]?.start_ms).toBe(3700);
    expect(parts.at(-1)?.end_ms).toBe(8700);
    for (let i = 1; i < parts.length; i++) expect(parts[i]?.start_ms).toBe(parts[i - 1]?.end_ms);
    const perChar = parts.map(
      (c) => (c.end_ms - c.start_ms) / c.lines.join("").replace(/\s/g, "").length,
    );
    for (const rate of perChar) expect(rate).toBeCloseTo(perChar[0] as number, 0);
  });

  it("count a line's times from where the shot's speech starts", () => {
    const [cue] = cuesOf([
      {
        storyboard_id: 1,
        start: 2,
        end: 6,
        speech_start: 2.5,
        lines: [{ text: "Hi.", start: 0.5, end: 1 }],
      },
    ]);
    expect(cue).toMatchObject({ start_ms: 3000, end_ms: 3500 });
  });

  it("come out in time order", () => {
    const starts = cues.map((c) => c.start_ms);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });
});
