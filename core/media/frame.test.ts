import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ffmpeg, probe } from "./ffmpeg.ts";
import { extractLastFrame } from "./frame.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "frame-test-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/**
 * A real H.264 clip: `seconds` of red, then exactly one blue frame at the very end, with an
 * audio track `audioSeconds` long (longer than the video when asked).
 */
async function redThenOneBlueFrame(name: string, seconds: number, audioSeconds: number) {
  const out = join(dir, `${name}.mp4`);
  await ffmpeg([
    "-f",
    "lavfi",
    "-i",
    `color=c=red:s=160x90:r=24:d=${seconds}`,
    "-f",
    "lavfi",
    "-i",
    "color=c=blue:s=160x90:r=24,trim=end_frame=1",
    "-f",
    "lavfi",
    "-i",
    `sine=frequency=220:sample_rate=48000:duration=${audioSeconds}`,
    "-filter_complex",
    "[0:v][1:v]concat=n=2:v=1:a=0,format=yuv420p[v]",
    "-map",
    "[v]",
    "-map",
    "2:a",
    "-c:v",
    "libx264",
    "-c:a",
    "aac",
    out,
  ]);
  return out;
}

/** The RGB of the image's centre pixel, decoded from the PNG written. */
async function centre(path: string) {
  const png = PNG.sync.read(await readFile(path));
  const i = (Math.floor(png.height / 2) * png.width + Math.floor(png.width / 2)) * 4;
  return {
    r: png.data[i] as number,
    g: png.data[i + 1] as number,
    b: png.data[i + 2] as number,
    png,
  };
}

describe("extractLastFrame (real ffmpeg)", () => {
  it("writes the clip's very last frame, not the one before it", async () => {
    const clip = await redThenOneBlueFrame("plain", 2, 2);
    const out = join(dir, "plain.png");
    await extractLastFrame(clip, out);
    const { r, g, b, png } = await centre(out);
    expect({ width: png.width, height: png.height }).toEqual({ width: 160, height: 90 });
    // Blue after H.264 and back: the frame before it is pure red.
    expect(b).toBeGreaterThan(200);
    expect(r).toBeLessThan(60);
    expect(g).toBeLessThan(60);
  });

  it("finds the last video frame when the audio runs seconds past it", async () => {
    const clip = await redThenOneBlueFrame("long-audio", 1, 6);
    const info = await probe(clip);
    expect(info.duration).toBeGreaterThan(5); // the container lasts as long as the audio
    const out = join(dir, "long-audio.png");
    await extractLastFrame(clip, out);
    const { r, b } = await centre(out);
    expect(b).toBeGreaterThan(200);
    expect(r).toBeLessThan(60);
  });

  it("fails clearly for a file without video", async () => {
    const audio = join(dir, "audio.m4a");
    await ffmpeg(["-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", audio]);
    await expect(extractLastFrame(audio, join(dir, "none.png"))).rejects.toThrow(/ffmpeg|no video/);
  });
});
