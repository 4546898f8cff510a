import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderCard } from "../providers/offline/card.ts";
import { stillToClip } from "./clip.ts";
import { canStreamCopy, composeClips, composeFilm } from "./compose.ts";
import { type ClipInfo, ffmpeg, probe } from "./ffmpeg.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "compose-test-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function still(name: string, width: number, height: number) {
  const path = join(dir, `${name}.png`);
  await writeFile(
    path,
    renderCard({ width, height, title: name, prompt: name, label: "TEST", seed: name }),
  );
  return path;
}

async function clip(name: string, width: number, height: number, fps = 24, seconds = 1) {
  const out = join(dir, `${name}.mp4`);
  await stillToClip(await still(name, width, height), out, { width, height, seconds, fps });
  return out;
}

describe("offline shot clip", () => {
  it("is a real H.264/AAC MP4 of the asked size and length", async () => {
    const info = await probe(await clip("shot", 640, 360, 24, 2));
    expect(info.video).toMatchObject({
      codec: "h264",
      width: 640,
      height: 360,
      pixFmt: "yuv420p",
      frameRate: "24/1",
    });
    expect(info.audio).toMatchObject({ codec: "aac", sampleRate: 48000, channels: 2 });
    expect(info.duration).toBeGreaterThan(1.9);
    expect(info.duration).toBeLessThan(2.2);
  });
});

describe("final cut", () => {
  it("stream-copies clips that match in every parameter", async () => {
    const paths = [await clip("a", 640, 360), await clip("b", 640, 360), await clip("c", 640, 360)];
    const out = join(dir, "copy.mp4");
    const result = await composeClips(paths, out, { width: 640, height: 360, fps: 24 }, dir);
    expect(result.method).toBe("copy");
    expect(result.duration).toBeGreaterThan(2.8);
    expect(result.output.video).toMatchObject({ codec: "h264", width: 640, height: 360 });
  });

  it("normalises mismatched sizes and frame rates, and a clip without audio, in one encode", async () => {
    const silent = join(dir, "silent.mp4");
    await ffmpeg(["-i", await clip("loud", 320, 240, 30), "-an", "-c", "copy", silent]);
    const paths = [await clip("wide", 640, 360, 24), await clip("tall", 360, 640, 25), silent];
    const infos = await Promise.all(paths.map((p) => probe(p)));
    expect(canStreamCopy(infos)).toBe(false);
    expect(infos[2]?.audio).toBeUndefined();
    const out = join(dir, "encoded.mp4");
    const result = await composeClips(paths, out, { width: 640, height: 360, fps: 24 }, dir);
    expect(result.method).toBe("encode");
    expect(result.output.video).toMatchObject({
      width: 640,
      height: 360,
      frameRate: "24/1",
      pixFmt: "yuv420p",
    });
    expect(result.output.audio).toMatchObject({ sampleRate: 48000, channels: 2 });
    expect(result.duration).toBeGreaterThan(2.7);
    expect(result.duration).toBeLessThan(3.4);
  });

  it("uses each clip's stored probe instead of probing it again", async () => {
    const paths = [await clip("kept-1", 640, 360), await clip("kept-2", 640, 360)];
    const infos = await Promise.all(paths.map((p) => probe(p)));
    const shots = paths.map((path, i) => ({ storyboard_id: i + 1, path, info: infos[i] }));
    const options = {
      out: join(dir, "kept.mp4"),
      workDir: dir,
      target: { width: 640, height: 360, fps: 24 },
      loudnessLufs: -14,
    };
    expect(await composeFilm(shots, options)).toMatchObject({ method: "copy", probed: 0 });
    // The stored parameters decide: a stored size that is not the film's means an encode.
    const wrong = {
      ...(infos[0] as ClipInfo),
      video: { ...(infos[0] as ClipInfo).video, width: 320 },
    };
    expect(
      await composeFilm(
        [{ ...(shots[0] as (typeof shots)[0]), info: wrong }, shots[1] as (typeof shots)[0]],
        options,
      ),
    ).toMatchObject({ method: "encode", probed: 0 });
    expect(
      await composeFilm(
        shots.map(({ info: _, ...s }) => s),
        options,
      ),
    ).toMatchObject({ probed: 2 });
  });

  it("gives a film with no sound at all a silent track and no loudness", async () => {
    const mute = async (name: string) => {
      const out = join(dir, `${name}-mute.mp4`);
      await ffmpeg(["-i", await tinyClip(name), "-an", "-c", "copy", out]);
      return out;
    };
    const result = await composeFilm(
      [
        { storyboard_id: 1, path: await mute("quiet-1") },
        { storyboard_id: 2, path: await mute("quiet-2"), transition: "dissolve" },
      ],
      {
        out: join(dir, "quiet.mp4"),
        workDir: dir,
        target: { width: 64, height: 36, fps: 24 },
        loudnessLufs: -14,
      },
    );
    expect(result).toMatchObject({ method: "encode", sound: "mixed", loudness: null });
    expect(result.output.audio).toMatchObject({ codec: "aac", channels: 2 });
    expect(result.duration).toBeCloseTo(result.timeline.duration, 1);
    expect(result.timeline.shots[1]?.transition_seconds).toBeGreaterThan(0.4);
  });

  it("fails with ffmpeg's own reason", async () => {
    await expect(ffmpeg(["-i", join(dir, "missing.mp4"), join(dir, "never.mp4")])).rejects.toThrow(
      /^ffmpeg failed: .*missing\.mp4/,
    );
  });

  it("refuses an empty clip list", async () => {
    await expect(
      composeClips([], join(dir, "none.mp4"), { width: 1, height: 1, fps: 1 }, dir),
    ).rejects.toThrow("no clips");
  });
});

/** A tiny real H.264/AAC clip (64x36, 24 fps, 1 s); `encoder` adds or overrides x264 settings. */
async function tinyClip(name: string, encoder: string[] = [], filter?: string) {
  const out = join(dir, `${name}.mp4`);
  await ffmpeg([
    ...["-f", "lavfi", "-i", "testsrc=size=64x36:rate=24"],
    ...["-f", "lavfi", "-i", "sine=frequency=220:sample_rate=48000"],
    ...["-t", "1", ...(filter ? ["-vf", filter, "-vsync", "vfr"] : [])],
    ...["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p"],
    ...encoder,
    ...["-c:a", "aac", "-b:a", "96k", "-ac", "2", "-movflags", "+faststart", out],
  ]);
  return out;
}

/** The stream parameters the old check compared, to show a pair differs in nothing else. */
const others = (c: ClipInfo, differing: string[]) => {
  const { codec, width, height, pixFmt, baseFrameRate, timeBase, sar, profile, level, frameRate } =
    c.video;
  const all: Record<string, unknown> = {
    codec,
    width,
    height,
    pixFmt,
    baseFrameRate,
    timeBase,
    sar,
    profile,
    level,
    frameRate,
    audio: c.audio,
  };
  for (const key of differing) delete all[key];
  return all;
};

describe("stream-copy check", () => {
  it("stream-copies tiny clips made with the same settings", async () => {
    const paths = [await tinyClip("same-1"), await tinyClip("same-2")];
    const result = await composeClips(
      paths,
      join(dir, "same.mp4"),
      { width: 64, height: 36, fps: 24 },
      dir,
    );
    expect(result.method).toBe("copy");
    expect(result.duration).toBeGreaterThan(1.9);
    expect(result.duration).toBeLessThan(2.2);
  });

  // Each pair differs in exactly the named parameters (yuv444p forces x264's High 4:4:4 profile).
  it.each([
    {
      what: "H.264 profile",
      a: ["-profile:v", "baseline"],
      b: ["-profile:v", "high"],
      differing: ["profile"],
    },
    { what: "H.264 level", a: ["-level", "3.1"], b: [], differing: ["level"] },
    { what: "pixel format", a: ["-pix_fmt", "yuv444p"], b: [], differing: ["pixFmt", "profile"] },
    { what: "time base", a: ["-video_track_timescale", "24000"], b: [], differing: ["timeBase"] },
  ])(
    "normalises and encodes clips that differ only in $what",
    async ({ what, a, b, differing }) => {
      const name = what.replaceAll(/\W/g, "-");
      const paths = [await tinyClip(`${name}-a`, a), await tinyClip(`${name}-b`, b)];
      await expectOneEncode(paths, differing, name);
    },
  );

  it("compares the real frame rate (avg_frame_rate), not r_frame_rate", async () => {
    // One frame dropped with its gap kept: r_frame_rate is still 24/1, the clip plays 23 fps.
    const paths = [
      await tinyClip("steady"),
      await tinyClip("dropped", [], "select='not(eq(n\\,5))'"),
    ];
    const [steady, dropped] = await Promise.all(paths.map((p) => probe(p)));
    expect(dropped?.video.baseFrameRate).toBe(steady?.video.baseFrameRate);
    expect(dropped?.video.frameRate).toBe("23/1");
    await expectOneEncode(paths, ["frameRate"], "dropped");
  });
});

async function expectOneEncode(paths: string[], differing: string[], name: string) {
  const [a, b] = (await Promise.all(paths.map((p) => probe(p)))) as [ClipInfo, ClipInfo];
  expect(others(a, differing)).toEqual(others(b, differing));
  for (const key of differing) {
    expect(a.video[key as keyof ClipInfo["video"]]).not.toEqual(
      b.video[key as keyof ClipInfo["video"]],
    );
  }
  expect(canStreamCopy([a, b])).toBe(false);
  const shares: number[] = [];
  const result = await composeClips(
    paths,
    join(dir, `${name}-out.mp4`),
    { width: 64, height: 36, fps: 24 },
    dir,
    (share) => shares.push(share),
  );
  // ffmpeg's -progress report, read while it encodes: rising shares of the output, up to all of it.
  expect(shares.length).toBeGreaterThan(0);
  expect(shares).toEqual([...shares].sort((x, y) => x - y));
  expect(shares.at(-1)).toBeGreaterThan(0.9);
  expect(shares.at(-1)).toBeLessThanOrEqual(1);
  expect(result.method).toBe("encode");
  expect(result.output.video).toMatchObject({
    codec: "h264",
    width: 64,
    height: 36,
    pixFmt: "yuv420p",
    frameRate: "24/1",
  });
  expect(result.output.audio).toMatchObject({ sampleRate: 48000, channels: 2 });
  expect(result.duration).toBeGreaterThan(1.9);
  expect(result.duration).toBeLessThan(2.3);
}
