import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subtitleTrack } from "../../test/support/media.ts";
import { toWebVtt } from "../subtitles/formats.ts";
import { ffmpeg, mediaTools } from "./ffmpeg.ts";
import { extractAudio, finishCut, streamsOf } from "./finish.ts";

const run = promisify(execFile);

let dir: string;
let cut: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "finish-test-"));
  cut = join(dir, "cut.mp4");
  // A tiny cut as compose makes it: H.264 + AAC, 2 s.
  await ffmpeg([
    "-f",
    "lavfi",
    "-i",
    "color=c=navy:s=64x36:r=24:d=2",
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=330:sample_rate=48000:duration=2",
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-c:a",
    "aac",
    "-shortest",
    "-movflags",
    "+faststart",
    cut,
  ]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("finishing a cut", () => {
  it("muxes a mov_text track with the cues, copying video and audio", async () => {
    const vtt = join(dir, "subs.vtt");
    await writeFile(
      vtt,
      toWebVtt([
        { storyboard_id: 1, start_ms: 200, end_ms: 900, lines: ["Tom & Jerry"] },
        { storyboard_id: 2, start_ms: 1000, end_ms: 1800, lines: ["你好，", "世界。"] },
      ]),
    );
    const out = await finishCut({
      video: cut,
      out: join(dir, "finished.mp4"),
      subtitlesVtt: vtt,
      language: "eng",
    });
    const { streams, duration } = await streamsOf(out);
    expect(streams.map((s) => [s.codec_type, s.codec_name])).toEqual([
      ["video", "h264"],
      ["audio", "aac"],
      ["subtitle", "mov_text"],
    ]);
    expect(streams[2]?.tags?.language).toBe("eng");
    expect(duration).toBeCloseTo((await streamsOf(cut)).duration, 1);
    const srt = await subtitleTrack(out);
    expect(srt).toContain("00:00:00,200 --> 00:00:00,900\nTom & Jerry");
    expect(srt).toContain("00:00:01,000 --> 00:00:01,800\n你好，\n世界。");
  });

  it("leaves the cut as it is without subtitles: no subtitle stream", async () => {
    const out = await finishCut({ video: cut, out: join(dir, "unused.mp4"), subtitlesVtt: null });
    expect(out).toBe(cut);
    const { streams } = await streamsOf(out);
    expect(streams.some((s) => s.codec_type === "subtitle")).toBe(false);
  });

  it("takes the soundtrack out as an M4A as long as the cut", async () => {
    const audio = await extractAudio(cut, join(dir, "sound.m4a"));
    expect(audio?.copied).toBe(true);
    const { streams, duration } = await streamsOf(join(dir, "sound.m4a"));
    expect(streams.map((s) => [s.codec_type, s.codec_name])).toEqual([["audio", "aac"]]);
    // Within one AAC frame (1024 samples at 48 kHz ≈ 21 ms) of the cut.
    expect(Math.abs(duration - (await streamsOf(cut)).duration)).toBeLessThan(0.025);
    const { stdout } = await run(mediaTools().ffprobe, [
      "-v",
      "error",
      "-show_entries",
      "format=format_name:format_tags=major_brand",
      "-of",
      "json",
      join(dir, "sound.m4a"),
    ]);
    expect(JSON.parse(stdout).format.tags.major_brand).toBe("M4A ");
  });

  it("has no soundtrack to take from a silent cut", async () => {
    const silent = join(dir, "silent.mp4");
    await ffmpeg(["-i", cut, "-an", "-c", "copy", silent]);
    expect(await extractAudio(silent, join(dir, "none.m4a"))).toBeNull();
  });
});
