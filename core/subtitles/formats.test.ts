import { describe, expect, it } from "vitest";
import type { Cue } from "./cues.ts";
import { timestamp, toSrt, toWebVtt } from "./formats.ts";

const cues: Cue[] = [
  { storyboard_id: 1, start_ms: 1000, end_ms: 3500, lines: ["Hello there."] },
  {
    storyboard_id: 2,
    start_ms: 3_723_004,
    end_ms: 3_725_000,
    lines: ["Tom & Jerry <3", "a --> b"],
  },
];

describe("timestamps", () => {
  it("use a dot in WebVTT and a comma in SubRip, with hours", () => {
    expect(timestamp(1000, ".")).toBe("00:00:01.000");
    expect(timestamp(1000, ",")).toBe("00:00:01,000");
    expect(timestamp(3_723_004, ".")).toBe("01:02:03.004");
    expect(timestamp(59_999, ",")).toBe("00:00:59,999");
  });
});

describe("WebVTT", () => {
  it("has the header, numbered cues, dotted times and escaped text", () => {
    expect(toWebVtt(cues)).toBe(
      "WEBVTT\n\n" +
        "1\n00:00:01.000 --> 00:00:03.500\nHello there.\n\n" +
        "2\n01:02:03.004 --> 01:02:05.000\nTom &amp; Jerry &lt;3\na --&gt; b\n",
    );
  });

  it("is a valid empty file without cues", () => {
    expect(toWebVtt([])).toBe("WEBVTT\n");
  });
});

describe("SubRip", () => {
  it("numbers cues from 1 with comma times; an arrow in the text cannot pass for a timing", () => {
    expect(toSrt(cues)).toBe(
      "1\n00:00:01,000 --> 00:00:03,500\nHello there.\n\n" +
        "2\n01:02:03,004 --> 01:02:05,000\nTom & Jerry <3\na -> b\n",
    );
  });
});
