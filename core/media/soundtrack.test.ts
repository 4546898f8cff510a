import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bandLevel,
  streamTimes,
  toneClip,
  toneFile,
  videoPacketHashes,
} from "../../test/support/media.ts";
import { type ComposeResult, composeFilm } from "./compose.ts";
import { ffmpeg } from "./ffmpeg.ts";
import { measureLoudness, normaliseFilter } from "./loudness.ts";
import { renderSoundtrack } from "./soundtrack.ts";
import { planCut } from "./timeline.ts";

/** Each layer has its own frequency, so it can be measured apart in the mix. */
const CLIP_HZ = 220;
const SPEECH_HZ = 1000;
const MUSIC_HZ = 3000;
const TARGET = -16;

let dir: string;
let out: string;
let clips: string[];
let result: ComposeResult;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "soundtrack-test-"));
  clips = await Promise.all(
    [0, 1, 2].map((i) => toneClip(dir, `clip-${i}`, { color: "gray", hz: CLIP_HZ, seconds: 2 })),
  );
  const [first, third, music] = await Promise.all([
    toneFile(dir, "speech-1", { hz: SPEECH_HZ, seconds: 1.2 }),
    toneFile(dir, "speech-3", { hz: SPEECH_HZ, seconds: 1 }),
    // One second of music for a six-second film: it has to loop.
    toneFile(dir, "music", { hz: MUSIC_HZ, seconds: 1 }),
  ]);
  out = join(dir, "film.mp4");
  result = await composeFilm(
    [
      { storyboard_id: 11, path: clips[0] as string, sound: { speechPath: first } },
      { storyboard_id: 12, path: clips[1] as string },
      { storyboard_id: 13, path: clips[2] as string, sound: { speechPath: third } },
    ],
    {
      out,
      workDir: dir,
      target: { width: 64, height: 36, fps: 24 },
      loudnessLufs: TARGET,
      musicPath: music,
    },
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("final cut with sound, cuts only", () => {
  it("places each shot's speech at its start and says where", () => {
    expect(result.timeline.shots.map((s) => [s.storyboard_id, s.start, s.end, s.speech])).toEqual([
      [11, 0, 2, { start: 0, end: 1.2 }],
      [12, 2, 4, null],
      [13, 4, 6, { start: 4, end: 5 }],
    ]);
    expect(result.timeline.duration).toBe(6);
  });

  it("copies the picture untouched and renders only the sound", async () => {
    expect(result).toMatchObject({ method: "copy", sound: "mixed" });
    // The very bytes of the first clip's video packets, not a re-encode of them (the concat
    // demuxer puts the parameter sets in front of the first key frame: that one differs).
    const original = await videoPacketHashes(clips[0] as string, 48);
    expect(original).toHaveLength(48);
    expect((await videoPacketHashes(out, 48)).slice(1)).toEqual(original.slice(1));
  });

  it("keeps sound and picture the same length, to the frame", async () => {
    const { video, audio } = await streamTimes(out);
    expect(audio?.codec).toBe("aac");
    expect(Math.abs((video?.duration ?? 0) - 6)).toBeLessThan(1 / 24);
    expect(Math.abs((audio?.duration ?? 0) - (video?.duration ?? 0))).toBeLessThan(1 / 24);
    expect(Math.abs((audio?.start ?? 0) - (video?.start ?? 0))).toBeLessThan(1 / 24);
  });

  it("is normalised to the project's loudness with the true peak under -1 dBTP", async () => {
    const measured = await measureLoudness(out);
    expect(Math.abs(measured.integrated_lufs - TARGET)).toBeLessThanOrEqual(1);
    expect(measured.true_peak_dbtp).toBeLessThanOrEqual(-1);
    // What the result reports is the output's own measurement.
    expect(result.loudness?.integrated_lufs).toBeCloseTo(measured.integrated_lufs, 0);
    expect(result.loudness?.true_peak_dbtp).toBeCloseTo(measured.true_peak_dbtp, 0);
  });

  it("makes speech audible inside its shot only, and lowers the clips' sound under it", async () => {
    const [speechIn1, speechIn2, speechIn3] = await Promise.all([
      bandLevel(out, SPEECH_HZ, 0.2, 1.1),
      bandLevel(out, SPEECH_HZ, 2.2, 3.8),
      bandLevel(out, SPEECH_HZ, 4.2, 4.9),
    ]);
    expect(speechIn1).toBeGreaterThan(-30);
    expect(speechIn3).toBeGreaterThan(-30);
    expect(speechIn2).toBeLessThan(speechIn1 - 30);
    const [clipUnder1, clipAlone, clipUnder3] = await Promise.all([
      bandLevel(out, CLIP_HZ, 0.3, 1.1),
      bandLevel(out, CLIP_HZ, 2.5, 3.8),
      bandLevel(out, CLIP_HZ, 4.3, 4.9),
    ]);
    // Ducked under the speech, back once it is over (and never gone).
    expect(clipUnder1).toBeLessThan(clipAlone - 8);
    expect(clipUnder3).toBeLessThan(clipAlone - 8);
    expect(clipAlone).toBeGreaterThan(-40);
  });

  it("keeps music under the whole film: looped, faded in and out, ducked under speech", async () => {
    const [start, under, alone, looped, end] = await Promise.all([
      bandLevel(out, MUSIC_HZ, 0, 0.15),
      bandLevel(out, MUSIC_HZ, 0.6, 1.1),
      bandLevel(out, MUSIC_HZ, 2.5, 3.5),
      bandLevel(out, MUSIC_HZ, 3.5, 3.9), // past the music file's own length
      bandLevel(out, MUSIC_HZ, 5.85, 6),
    ]);
    expect(alone).toBeGreaterThan(-45);
    expect(looped).toBeGreaterThan(alone - 3);
    expect(start).toBeLessThan(alone - 10);
    expect(end).toBeLessThan(alone - 10);
    expect(under).toBeLessThan(alone - 6);
  });
});

describe("loudness normalisation", () => {
  const LOUD = -14;
  it("limits the peaks with loudnorm's dynamic mode when plain gain would clip them, on target", async () => {
    // Speech-like noise with sparse sharp spikes: peaks 20 dB over the loudness.
    const clip = join(dir, "spiky.mp4");
    await ffmpeg([
      ...["-f", "lavfi", "-i", "color=c=black:s=64x36:r=24:d=4"],
      ...["-f", "lavfi", "-i", "anoisesrc=d=4:c=pink:a=0.3:seed=1"],
      ...["-f", "lavfi", "-i", "aevalsrc=0.6*lt(mod(n\\,24000)\\,96)*sin(2*PI*900*t):s=48000:d=4"],
      "-filter_complex",
      "[1]volume='0.3+0.7*gt(sin(2*PI*3*t)\\,0.2)':eval=frame[a];[a][2]amix=inputs=2,volume=2[s]",
      ...["-map", "0:v", "-map", "[s]", "-c:v", "libx264", "-preset", "veryfast"],
      ...["-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "192k", "-ac", "2", "-ar", "48000", clip],
    ]);
    const before = await measureLoudness(clip);
    const gain = LOUD - before.integrated_lufs;
    expect(before.true_peak_dbtp + gain).toBeGreaterThan(0); // plain gain would clip
    const m = {
      integrated: before.integrated_lufs,
      truePeak: before.true_peak_dbtp,
      range: 5,
      threshold: -40,
    };
    expect(normaliseFilter(LOUD, m)).toMatch(/^loudnorm=.*linear=false/);
    const sound = await renderSoundtrack({
      plan: planCut([{ storyboard_id: 1, clipSeconds: 4 }], { fps: 24 }),
      shots: [{ path: clip, hasAudio: true }],
      loudnessLufs: LOUD,
      workDir: dir,
    });
    const after = await measureLoudness(sound.path);
    expect(Math.abs(after.integrated_lufs - LOUD)).toBeLessThanOrEqual(1);
    expect(after.true_peak_dbtp).toBeLessThanOrEqual(-1);
  });

  it("applies the plain gain when the peaks leave room", () => {
    const m = { integrated: -30, truePeak: -20, range: 3, threshold: -40 };
    expect(normaliseFilter(-14, m)).toBe("volume=16.00dB");
  });
});
