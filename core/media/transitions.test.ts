import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bandLevel, frameAt, streamTimes, toneClip, toneFile } from "../../test/support/media.ts";
import { type ComposeResult, composeFilm } from "./compose.ts";
import { measureLoudness } from "./loudness.ts";
import type { CutShot } from "./timeline.ts";

const FRAME = 1 / 24;
let dir: string;
let out: string;
let result: ComposeResult;
let shots: CutShot[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "transitions-test-"));
  const [red, blue, green, speech] = await Promise.all([
    toneClip(dir, "red", { color: "red", hz: 220, seconds: 1 }),
    toneClip(dir, "blue", { color: "blue", hz: 440, seconds: 1 }),
    toneClip(dir, "green", { color: "green", hz: 880, seconds: 1 }),
    toneFile(dir, "speech", { hz: 1000, seconds: 1.3 }),
  ]);
  out = join(dir, "film.mp4");
  result = await composeFilm(
    [
      // 1.3 s of speech on a 1 s clip: the last frame is held.
      { storyboard_id: 1, path: red, sound: { speechPath: speech } },
      { storyboard_id: 2, path: blue, transition: "dissolve" },
      { storyboard_id: 3, path: green, transition: "fade" },
    ],
    {
      out,
      workDir: dir,
      target: { width: 64, height: 36, fps: 24 },
      loudnessLufs: -14,
      transitionSeconds: 0.5,
    },
  );
  shots = result.timeline.shots;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const colour = async (seconds: number) => (await frameAt(out, seconds, dir)).center;

describe("transitions and holds", () => {
  it("encodes once and describes the cut: a hold, a dissolve overlapping, a fade", () => {
    expect(result).toMatchObject({ method: "encode", sound: "mixed" });
    const [first, second, third] = shots as [CutShot, CutShot, CutShot];
    // The shot outlasts its speech (1.3 s), and its dissolve out comes after the speech.
    expect(first.hold_seconds).toBeGreaterThan(0.9);
    expect(first.end - first.start).toBeGreaterThanOrEqual(1.3 + second.transition_seconds);
    expect(second).toMatchObject({
      transition_in: "dissolve",
      start: first.end - second.transition_seconds,
    });
    expect(second.transition_seconds).toBeGreaterThan(0.4);
    expect(third).toMatchObject({ transition_in: "fade", start: second.end });
    expect(result.timeline.duration).toBe(third.end);
  });

  it("keeps picture and sound in sync to within a frame", async () => {
    const { video, audio } = await streamTimes(out);
    expect(Math.abs((video?.duration ?? 0) - result.timeline.duration)).toBeLessThan(FRAME);
    expect(Math.abs((audio?.duration ?? 0) - (video?.duration ?? 0))).toBeLessThan(FRAME);
    expect(Math.abs((audio?.start ?? 0) - (video?.start ?? 0))).toBeLessThan(FRAME);
  });

  it("holds the last frame and pads the clip's sound with silence", async () => {
    const [first] = shots as [CutShot];
    const held = await colour(first.clip_duration + 0.4);
    expect(held.r).toBeGreaterThan(200);
    expect(held.b).toBeLessThan(40);
    // The clip's own tone stops with its picture; no loop, no stretch.
    const during = await bandLevel(out, 220, 0.2, 0.8);
    const hold = await bandLevel(out, 220, first.clip_duration + 0.2, first.clip_duration + 0.5);
    expect(hold).toBeLessThan(during - 30);
  });

  it("blends both shots halfway through a dissolve, and both sounds", async () => {
    const [, second] = shots as [CutShot, CutShot];
    const mid = second.start + second.transition_seconds / 2;
    const before = await colour(second.start - 0.1);
    const blend = await colour(mid);
    const after = await colour(second.start + second.transition_seconds + 0.05);
    expect(before).toMatchObject({ r: expect.toSatisfy((r) => r > 200) });
    expect(after).toMatchObject({ b: expect.toSatisfy((b) => b > 200) });
    expect(after.r).toBeLessThan(40);
    // Neither the outgoing red nor the incoming blue alone.
    expect(blend.r).toBeGreaterThan(60);
    expect(blend.r).toBeLessThan(200);
    expect(blend.b).toBeGreaterThan(60);
    expect(blend.b).toBeLessThan(200);
    // The incoming sound comes up across the dissolve (acrossfade): the outgoing shot is in its
    // hold here, whose sound is silence.
    const rising = await bandLevel(out, 440, second.start, second.start + 0.1);
    const halfway = await bandLevel(out, 440, mid - 0.05, mid + 0.05);
    const full = await bandLevel(
      out,
      440,
      second.start + second.transition_seconds,
      second.end - 0.1,
    );
    expect(rising).toBeLessThan(halfway - 3);
    expect(halfway).toBeLessThan(full - 3);
  });

  it("fades through black between the second and third shots", async () => {
    const [, , third] = shots as [CutShot, CutShot, CutShot];
    const black = await colour(third.start);
    expect(Math.max(black.r, black.g, black.b)).toBeLessThan(40);
    const green = await colour(third.start + third.transition_seconds + 0.05);
    expect(green.g).toBeGreaterThan(90);
    expect(green.r).toBeLessThan(40);
  });

  it("is normalised like any cut with sound", async () => {
    const measured = await measureLoudness(out);
    expect(Math.abs(measured.integrated_lufs + 14)).toBeLessThanOrEqual(1);
    expect(measured.true_peak_dbtp).toBeLessThanOrEqual(-1);
  });
});
