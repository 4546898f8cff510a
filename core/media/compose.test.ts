import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderCard } from "../providers/offline/card.ts";
import { stillToClip } from "./clip.ts";
import { canStreamCopy, composeClips } from "./compose.ts";
import { ffmpeg, probe } from "./ffmpeg.ts";

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

  it("refuses an empty clip list", async () => {
    await expect(
      composeClips([], join(dir, "none.mp4"), { width: 1, height: 1, fps: 1 }, dir),
    ).rejects.toThrow("no clips");
  });
});
