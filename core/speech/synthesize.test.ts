import { describe, expect, it } from "vitest";
import { FAKE_TTS, startFakeGemini } from "../../test/support/fakes/gemini.ts";
import { fakeForFile } from "../../test/support/fakes/server.ts";
import { parseConfig } from "../config.ts";
import { geminiSpeech } from "../providers/speech/gemini.ts";
import { offlineSpeech } from "../providers/speech/offline.ts";
import { boundariesOf, concat, silence, trimmed } from "./pcm.ts";
import { LINE_GAP_SECONDS, type ScriptLine, synthesise } from "./synthesize.ts";
import { type Pcm, secondsOf } from "./wav.ts";

const fake = fakeForFile(startFakeGemini);
const gemini = () =>
  geminiSpeech(
    parseConfig({
      GOOGLE_API_KEY: "test-google-key",
      GEMINI_BASE_URL: fake().url,
      PROVIDER_RETRIES: "0",
    }),
  );
const toneSeconds = (text: string) =>
  Math.max(FAKE_TTS.minSeconds, [...text].length * FAKE_TTS.secondsPerChar);

const line = (id: number | null, voice: string, text: string): ScriptLine => ({
  speaker_asset_id: id,
  voice,
  text,
  label: id === null ? "Narrator" : `S${id}`,
});

const tone = (seconds: number, rate = 24_000): Pcm => {
  const samples = new Int16Array(Math.round(seconds * rate));
  for (let i = 0; i < samples.length; i++)
    samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / rate));
  return { pcm: new Uint8Array(samples.buffer), sampleRate: rate };
};

describe("a shot's speech, timed on the real audio", () => {
  it("narration then a two-speaker exchange: two requests, lines found between the model's pauses", async () => {
    const lines = [
      line(null, "Kore", "Night falls on the harbour."),
      line(7, "Puck", "Did you see the light?"),
      line(8, "Charon", "Only for a moment, out past the rocks."),
      line(7, "Puck", "Then we go now."),
    ];
    const speech = await synthesise(gemini(), lines);
    expect(speech.requests.map((r) => r.mode)).toEqual(["single", "two_speakers"]);
    expect(fake().generateCalls()).toHaveLength(2);
    expect(speech.timing).toBe("pauses");
    // The fake speaks each line as a tone of known length. Each measured line holds its tone and
    // at most 30 ms more at either side (the measurer keeps 20 ms so no consonant is clipped).
    const margin = 0.02;
    let at = margin;
    const tones = lines.map((l, i) => {
      if (i === 1) at += margin + LINE_GAP_SECONDS + margin;
      if (i > 1) at += FAKE_TTS.pauseSeconds;
      const start = at;
      at += toneSeconds(l.text);
      return [start, at] as const;
    });
    for (const [i, spoken] of speech.lines.entries()) {
      const [start, end] = tones[i] as readonly [number, number];
      expect(spoken.start, `line ${i} start`).toBeLessThanOrEqual(start + 0.005);
      expect(spoken.start, `line ${i} start`).toBeGreaterThanOrEqual(start - 0.03);
      expect(spoken.end, `line ${i} end`).toBeGreaterThanOrEqual(end - 0.005);
      expect(spoken.end, `line ${i} end`).toBeLessThanOrEqual(end + 0.03);
      expect(spoken).toMatchObject({ text: lines[i]?.text, voice: lines[i]?.voice });
    }
    // The clip is its speech: from the first line's start to the last line's end.
    expect(secondsOf(speech.audio)).toBeCloseTo(speech.lines.at(-1)?.end as number, 1);
    expect(speech.usage.input_tokens).toBeGreaterThan(0);
  });

  it("three speakers: one request per line (the API takes two), each measured alone", async () => {
    const lines = [
      line(1, "Kore", "One."),
      line(2, "Puck", "Two, two."),
      line(3, "Leda", "Three."),
    ];
    const speech = await synthesise(gemini(), lines);
    expect(speech.requests.map((r) => r.mode)).toEqual(["single", "single", "single"]);
    expect(speech.timing).toBe("measured");
    const calls = fake().generateCalls();
    expect(calls.every((c) => c.json.generationConfig.speechConfig.voiceConfig)).toBe(true);
    for (const [i, spoken] of speech.lines.entries())
      expect(spoken.end - spoken.start).toBeCloseTo(toneSeconds(lines[i]?.text as string), 1);
  });

  it("offline: every line spoken alone; lines follow each other with the gap, durations measured", async () => {
    const lines = [line(null, "Kore", "Night falls."), line(4, "Puck", "Who goes there?")];
    const speech = await synthesise(offlineSpeech(), lines);
    expect(speech).toMatchObject({ provider: "offline", timing: "measured" });
    const alone = await Promise.all(
      lines.map(async (l) =>
        secondsOf(trimmed((await offlineSpeech().speak({ text: l.text, voice: l.voice })).value)),
      ),
    );
    const [first, second] = speech.lines;
    expect(first?.start).toBe(0);
    expect(first?.end).toBeCloseTo(alone[0] as number, 2);
    expect(second?.start).toBeCloseTo((alone[0] as number) + LINE_GAP_SECONDS, 2);
    expect((second?.end ?? 0) - (second?.start ?? 0)).toBeCloseTo(alone[1] as number, 2);
  });

  it("picks the pauses that fit the text between turns, not a shorter pause inside a line", () => {
    // Turn 1 has a comma pause (0.15 s) halfway; the turn change is a 0.4 s pause.
    const rate = 24_000;
    const audio = concat(
      [tone(0.8), silence(0.15, rate), tone(0.8), silence(0.4, rate), tone(0.8)],
      rate,
    );
    const [boundary] = boundariesOf(audio, [40, 20]) ?? [];
    expect(boundary?.[0]).toBeCloseTo(1.75, 1);
    // Too few pauses for the lines: no boundaries (the caller shares the sound out by text).
    expect(boundariesOf(tone(2), [10, 10])).toBeNull();
  });
});
