import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fakeForFile } from "../../../../test/support/fakes/server.ts";
import { startFakeZhipu, ZHIPU_KEY } from "../../../../test/support/fakes/zhipu.ts";
import { type Config, parseConfig } from "../../../config.ts";
import { stillToClip } from "../../../media/clip.ts";
import { ProviderError } from "../../errors.ts";
import { renderCard } from "../../offline/card.ts";
import type { VideoRequest } from "../../types.ts";
import { zhipuVideo } from "./adapter.ts";

const fake = fakeForFile(startFakeZhipu);
let dir: string;
const png = (seed: string) => ({
  bytes: renderCard({ width: 64, height: 36, title: seed, prompt: "", label: "", seed }),
  mimeType: "image/png",
});
const frame = png("first");
const last = png("last");
const ask: VideoRequest = {
  image: frame,
  prompt: "slow pan",
  aspectRatio: "16:9",
  durationSeconds: 4,
  resolution: "720p",
};
const cfgFor = (base: string, key = ZHIPU_KEY): Config =>
  parseConfig({ ZHIPU_API_KEY: key, ZHIPU_BASE_URL: base, PROVIDER_TIMEOUT_MS: "5000" });
const video = (model: string, key?: string) => zhipuVideo(cfgFor(fake().url, key), model);
const dataUri = (i: { bytes: Uint8Array }) =>
  `data:image/png;base64,${Buffer.from(i.bytes).toString("base64")}`;

async function refusal(p: Promise<unknown>): Promise<ProviderError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "zhipu-"));
  await writeFile(join(dir, "still.png"), png("clip").bytes);
  await stillToClip(join(dir, "still.png"), join(dir, "clip.mp4"), {
    width: 320,
    height: 180,
    seconds: 1,
  });
  fake().video = await readFile(join(dir, "clip.mp4"));
});
beforeEach(() => {
  fake().pendingChecks = 1;
  fake().outcome = "video";
  fake().startGate = undefined;
});

describe("the Zhipu BigModel video adapter", () => {
  it("sends each model family's documented create: one data URI, first + last, references", async () => {
    await video("vidu2-image").start(ask);
    await video("vidu2-start-end").start({ ...ask, lastFrame: last });
    await video("vidu2-reference").start({
      ...ask,
      image: undefined,
      referenceImages: [frame, last],
    });
    await video("cogvideox-3").start({ ...ask, durationSeconds: 5, resolution: "1080p" });
    const [image, startEnd, reference, cog] = fake().creates();
    expect(image?.path).toBe("/api/paas/v4/videos/generations");
    expect(image?.headers.authorization).toBe(`Bearer ${ZHIPU_KEY}`);
    expect(image?.json).toEqual({
      model: "vidu2-image",
      prompt: "slow pan",
      image_url: dataUri(frame),
      duration: 4,
      aspect_ratio: "16:9",
    });
    expect(startEnd?.json.image_url).toEqual([dataUri(frame), dataUri(last)]);
    expect(reference?.json.image_url).toEqual([dataUri(frame), dataUri(last)]);
    expect(cog?.json).toMatchObject({
      model: "cogvideox-3",
      image_url: dataUri(frame),
      size: "1920x1080",
      duration: 5,
      with_audio: true,
      quality: "quality",
    });
  });

  it("takes a base URL that already ends in /api/paas/v4", async () => {
    const id = await zhipuVideo(cfgFor(`${fake().url}/api/paas/v4/`), "vidu2-image").start(ask);
    expect(id).toMatch(/^task-/);
    expect(fake().creates()[0]?.path).toBe("/api/paas/v4/videos/generations");
  });

  it("types the documented error bodies with the provider's code and message", async () => {
    const before = fake().accepted();
    const auth = await refusal(video("vidu2-image", "wrong.key").start(ask));
    expect(auth.failure).toBe("auth_failed");
    expect(auth.message).toContain("1000 身份验证失败");
    const model = await refusal(video("vidu9-nope").start(ask));
    expect(model.failure).toBe("model_not_found");
    expect(model.message).toContain("1211");
    const params = await refusal(video("vidu2-start-end").start(ask));
    expect(params.failure).toBe("bad_request");
    expect(params.message).toContain("1214 image_url 参数非法");
    fake().faults.push({ status: 429, body: { error: { code: "1302", message: "并发数过高" } } });
    const rate = await refusal(video("vidu2-image").start(ask));
    expect(rate.failure).toBe("rate_limited");
    expect(rate.message).toContain("1302 并发数过高");
    const unsafe = await refusal(video("vidu2-image").start({ ...ask, prompt: "unsafe scene" }));
    expect(unsafe.failure).toBe("blocked");
    expect(unsafe.reasons[0]).toContain("不安全");
    expect(fake().accepted()).toBe(before);
  });

  it("sends a create exactly once: a 500 or a dropped connection is uncertain", async () => {
    for (const fault of [
      { status: 500, body: { error: { code: "500", message: "boom" } } },
      { drop: true },
    ]) {
      fake().requests.length = 0;
      fake().faults.push({ ...fault, path: "/api/paas/v4/videos/generations", times: 5 });
      const error = await refusal(video("vidu2-image").start(ask));
      expect(error.failure).toBe("uncertain");
      expect(fake().creates()).toHaveLength(1);
      fake().faults.length = 0;
    }
  });

  it("reads FAIL as failed, and unsafe content as blocked with the message as reasons", async () => {
    fake().pendingChecks = 0;
    fake().outcome = "fail";
    const failed = await video("vidu2-image").check(await video("vidu2-image").start(ask));
    expect(failed).toMatchObject({ state: "failed", failure: "operation_failed" });
    fake().outcome = "unsafe";
    const blocked = await video("vidu2-image").check(await video("vidu2-image").start(ask));
    expect(blocked).toMatchObject({ state: "failed", failure: "blocked" });
    expect(blocked.state === "failed" && blocked.reasons?.[0]).toContain("不安全");
  });

  it("resumes from a saved task id in a new process and downloads without our key", async () => {
    const id = await video("cogvideox-3").start({ ...ask, durationSeconds: 5 });
    const later = video("cogvideox-3"); // a fresh adapter, as after a restart: only the id is kept
    expect(await later.check(id)).toEqual({ state: "pending" });
    const done = await later.check(id);
    if (done.state !== "done") throw new Error(JSON.stringify(done));
    const out = join(dir, "out.mp4");
    await later.download(done.video, out);
    expect(Buffer.compare(await readFile(out), fake().video)).toBe(0);
    const get = fake().requests.find((r) => r.path.startsWith("/files/"));
    expect(get?.headers.authorization).toBeUndefined();
    expect(fake().creates()).toHaveLength(1);
  });
});
