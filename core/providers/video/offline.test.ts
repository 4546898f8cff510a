import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Config, config, resetConfig } from "../../config.ts";
import { ffmpeg, probe } from "../../media/ffmpeg.ts";
import { extractLastFrame } from "../../media/frame.ts";
import { renderCard } from "../offline/card.ts";
import type { ImageFile, VideoProvider } from "../types.ts";
import { offlineVideo } from "./offline.ts";

let dir: string;
let video: VideoProvider;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "offline-video-"));
  process.env.OFFLINE_VIDEO_DELAY_MS = "0";
  resetConfig();
  video = offlineVideo({ ...config(), DATA_DIR: dir } as Config);
});
afterAll(async () => {
  delete process.env.OFFLINE_VIDEO_DELAY_MS;
  resetConfig();
  await rm(dir, { recursive: true, force: true });
});

function solid(r: number, g: number, b: number): ImageFile {
  const png = new PNG({ width: 64, height: 36 });
  for (let i = 0; i < png.data.length; i += 4) png.data.set([r, g, b, 255], i);
  return { bytes: PNG.sync.write(png), mimeType: "image/png" };
}

async function render(operation: string) {
  const state = await video.check(operation);
  if (state.state !== "done") throw new Error(`not done: ${JSON.stringify(state)}`);
  const out = join(dir, `${operation.split("/").pop()}.mp4`);
  await video.download(state.video, out);
  return out;
}

async function centreOf(png: string) {
  const image = PNG.sync.read(await readFile(png));
  const i = (Math.floor(image.height / 2) * image.width + Math.floor(image.width / 2)) * 4;
  return [image.data[i], image.data[i + 1], image.data[i + 2]] as number[];
}

describe("offline video", () => {
  it("starts on the first frame and ends on the last frame, at the size Veo would make", async () => {
    const clip = await render(
      await video.start({
        image: solid(255, 0, 0),
        lastFrame: solid(0, 0, 255),
        prompt: "red to blue",
        aspectRatio: "16:9",
        durationSeconds: 4,
        resolution: "720p",
      }),
    );
    const info = await probe(clip);
    expect(info.video).toMatchObject({ width: 1280, height: 720, codec: "h264" });
    expect(info.duration).toBeGreaterThan(3.9);
    expect(info.audio?.codec).toBe("aac");
    const last = join(dir, "last.png");
    await extractLastFrame(clip, last);
    const [r, , b] = await centreOf(last);
    expect(b).toBeGreaterThan(200);
    expect(r).toBeLessThan(60);
    const first = join(dir, "first.png");
    await ffmpeg(["-i", clip, "-frames:v", "1", first]);
    const [r0, , b0] = await centreOf(first);
    expect(r0).toBeGreaterThan(200);
    expect(b0).toBeLessThan(60);
  });

  it("makes a reference-only shot from a card of its references, in the asked shape", async () => {
    const card = (seed: string) =>
      ({
        bytes: renderCard({ width: 64, height: 64, title: seed, prompt: "", label: "", seed }),
        mimeType: "image/png",
      }) as ImageFile;
    const clip = await render(
      await video.start({
        referenceImages: [card("a"), card("b")],
        prompt: "two friends",
        aspectRatio: "9:16",
        durationSeconds: 4,
        resolution: "720p",
      }),
    );
    expect((await probe(clip)).video).toMatchObject({ width: 720, height: 1280 });
  });
});
