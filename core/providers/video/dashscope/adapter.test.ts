import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import {
  DASHSCOPE_KEY,
  dashscopeError,
  startFakeDashScope,
} from "../../../../test/support/fakes/dashscope.ts";
import { fakeForFile } from "../../../../test/support/fakes/server.ts";
import { parseConfig } from "../../../config.ts";
import { stillToClip } from "../../../media/clip.ts";
import { ProviderError } from "../../errors.ts";
import { renderCard } from "../../offline/card.ts";
import type { VideoRequest } from "../../types.ts";
import { dashscopeVideo } from "./adapter.ts";
import { vendor } from "./index.ts";

async function clip(): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), "wan-"));
  const still = join(dir, "still.png");
  const card = { width: 320, height: 180, title: "wan", prompt: "", label: "FAKE WAN", seed: "w" };
  await writeFile(still, renderCard(card));
  await stillToClip(still, join(dir, "wan.mp4"), { width: 320, height: 180, seconds: 1 });
  return readFile(join(dir, "wan.mp4"));
}

const fake = fakeForFile(async () => startFakeDashScope(await clip()));
beforeEach(() => {
  fake().outcome = { pendingChecks: 1, end: "video" };
  fake().startGate = undefined;
});

const cfgFor = (base: string, key = DASHSCOPE_KEY) =>
  parseConfig({ DASHSCOPE_API_KEY: key, DASHSCOPE_BASE_URL: base, PROVIDER_TIMEOUT_MS: "5000" });
const wan = (model: string, base = fake().url, key?: string) =>
  dashscopeVideo(cfgFor(base, key), model);

const png = (seed: string) => ({
  bytes: renderCard({ width: 64, height: 36, title: seed, prompt: "", label: "", seed }),
  mimeType: "image/png",
});
const ask = (over: Partial<VideoRequest> = {}): VideoRequest => ({
  image: png("first"),
  prompt: "a slow pan over the harbour",
  aspectRatio: "16:9",
  durationSeconds: 5,
  resolution: "720p",
  ...over,
});

/** What a rejected promise threw, as a ProviderError. */
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a refusal");
    },
    (e: unknown) => e as ProviderError,
  );

describe("DashScope Wan create requests", () => {
  it("i2v: the async header, the key, the first frame as a data URI, the resolution in capitals", async () => {
    const id = await wan("wan2.2-i2v-flash").start(ask({ durationSeconds: 8 }));
    expect(fake().tasks.has(id)).toBe(true);
    const [req] = fake().creates();
    expect(req?.path).toBe("/api/v1/services/aigc/video-generation/video-synthesis");
    expect(req?.headers["x-dashscope-async"]).toBe("enable");
    expect(req?.headers.authorization).toBe(`Bearer ${DASHSCOPE_KEY}`);
    expect(req?.json).toMatchObject({
      model: "wan2.2-i2v-flash",
      input: { prompt: "a slow pan over the harbour" },
      // 8 s is moved to the only length the model offers.
      parameters: { resolution: "720P", duration: 5 },
    });
    const sent = Buffer.from(png("first").bytes).toString("base64");
    expect(req?.json.input.img_url).toBe(`data:image/png;base64,${sent}`);
  });

  it("kf2v: the image2video path with first and last frames", async () => {
    await wan("wan2.2-kf2v-flash").start(ask({ lastFrame: png("last") }));
    const [req] = fake().creates();
    expect(req?.path).toBe("/api/v1/services/aigc/image2video/video-synthesis");
    expect(req?.json.input.first_frame_url).toMatch(/^data:image\/png;base64,/);
    expect(req?.json.input.last_frame_url).toMatch(/^data:image\/png;base64,/);
    expect(req?.json.input.img_url).toBeUndefined();
  });

  it("t2v: no image, a size from the shape and resolution; a base URL ending in /api/v1 works", async () => {
    await wan("wan2.5-t2v-preview", `${fake().url}/api/v1/`).start(
      ask({ image: undefined, aspectRatio: "9:16", resolution: "1080p", durationSeconds: 10 }),
    );
    const [req] = fake().creates();
    expect(req?.path).toBe("/api/v1/services/aigc/video-generation/video-synthesis");
    expect(req?.json).toEqual({
      model: "wan2.5-t2v-preview",
      input: { prompt: "a slow pan over the harbour" },
      parameters: { size: "1080*1920", duration: 10 },
    });
  });

  it("refuses a last frame on an i2v model before sending anything", async () => {
    const e = await refusal(wan("wan2.2-i2v-flash").start(ask({ lastFrame: png("last") })));
    expect(e.failure).toBe("bad_request");
    expect(fake().creates()).toHaveLength(0);
  });
});

describe("DashScope Wan refusals and uncertainty", () => {
  it("a wrong key is auth_failed with the provider's code and message", async () => {
    const e = await refusal(wan("wan2.2-i2v-flash", fake().url, "sk-wrong").start(ask()));
    expect(e).toBeInstanceOf(ProviderError);
    expect(e.failure).toBe("auth_failed");
    expect(e.message).toContain("InvalidApiKey: Invalid API-key provided.");
  });

  it("400 InvalidParameter is bad_request, 429 Throttling is rate_limited and not started", async () => {
    fake().faults.push(dashscopeError(400, "InvalidParameter", "The size is invalid."));
    const bad = await refusal(wan("wan2.2-i2v-flash").start(ask()));
    expect(bad.failure).toBe("bad_request");
    expect(bad.message).toContain("InvalidParameter: The size is invalid.");
    fake().faults.push(
      dashscopeError(429, "Throttling.RateQuota", "Requests rate limit exceeded."),
    );
    const busy = await refusal(wan("wan2.2-i2v-flash").start(ask()));
    expect(busy.failure).toBe("rate_limited");
    expect(busy.message).toContain("Throttling.RateQuota: Requests rate limit exceeded.");
    expect(busy.message).toContain("not started");
  });

  it("sends exactly one create: a 500 or a dropped connection is uncertain", async () => {
    for (const fault of [dashscopeError(500, "InternalError", "boom"), { drop: true }]) {
      fake().requests.length = 0;
      fake().faults.push({ ...fault, times: 10 });
      const e = await refusal(wan("wan2.2-i2v-flash").start(ask()));
      fake().faults.length = 0;
      expect(e.failure).toBe("uncertain");
      expect(fake().requests).toHaveLength(1);
    }
  });

  it("no connection at all is unavailable: nothing was started", async () => {
    const closed = await startFakeDashScope(Buffer.alloc(0));
    await closed.stop();
    const e = await refusal(wan("wan2.2-i2v-flash", closed.url).start(ask()));
    expect(e.failure).toBe("unavailable");
  });
});

describe("DashScope Wan tasks", () => {
  it("resumes from the task id alone: pending, then done, and downloads the MP4 without our key", async () => {
    const taskId = await wan("wan2.2-i2v-flash").start(ask());
    const later = wan("wan2.2-i2v-flash"); // another process, knowing only the task id
    expect(await later.check(taskId)).toEqual({ state: "pending" });
    const done = await later.check(taskId);
    if (done.state !== "done") throw new Error(JSON.stringify(done));
    const dest = join(await mkdtemp(join(tmpdir(), "wan-dl-")), "shot.mp4");
    await later.download(done.video, dest);
    expect((await stat(dest)).size).toBe(fake().video.length);
    expect((await readFile(dest)).subarray(4, 8).toString()).toBe("ftyp");
    const [download] = fake().downloads();
    expect(download?.headers.authorization).toBeUndefined();
  });

  it("a moderated task is blocked with the provider's message as the reason", async () => {
    fake().outcome = { pendingChecks: 0, end: "blocked" };
    const taskId = await wan("wan2.2-i2v-flash").start(ask());
    expect(await wan("wan2.2-i2v-flash").check(taskId)).toEqual({
      state: "failed",
      failure: "blocked",
      message: "Output data may contain inappropriate content.",
      reasons: ["Output data may contain inappropriate content."],
    });
  });

  it("another failure is operation_failed; an unknown id says so", async () => {
    fake().outcome = { pendingChecks: 0, end: "failed" };
    const provider = wan("wan2.2-i2v-flash");
    expect(await provider.check(await provider.start(ask()))).toMatchObject({
      state: "failed",
      failure: "operation_failed",
      message: "InternalError: Internal error.",
    });
    expect(await provider.check("no-such-task")).toMatchObject({
      state: "failed",
      failure: "operation_failed",
      message: expect.stringContaining("unknown"),
    });
  });

  it("the vendor lists the Wan models and builds the adapter lazily", async () => {
    expect(vendor.models.map((m) => m.id)).toContain("wan2.2-kf2v-flash");
    expect(vendor.models.every((m) => m.available(cfgFor(fake().url)))).toBe(true);
    expect(vendor.models.some((m) => m.available(cfgFor(fake().url, "")))).toBe(false);
    const kf2v = vendor.models.find((m) => m.id === "wanx2.1-kf2v-plus")?.capabilities;
    expect(kf2v).toMatchObject({ last_frame: true, reference_images: 0, resolutions: ["720p"] });
    expect((await vendor.create(cfgFor(fake().url), "wan2.6-i2v")).model).toBe("wan2.6-i2v");
  });
});
