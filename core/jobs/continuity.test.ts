import { afterAll, describe, expect, it } from "vitest";
import type { Recorded } from "../../test/support/fakes/server.ts";
import {
  projectWithSettings,
  runToEnd,
  storedStill,
  submitVideo,
  useVeoModel,
  useVideoRoute,
  videoJobBench,
} from "../../test/support/video-jobs.ts";
import { assets, storyboards } from "../db/schema.ts";
import { getJob } from "./store.ts";

/**
 * Project settings and Veo 3.1 continuity on the wire: what each route really sends (the fake
 * records every request's JSON), and what is refused before any job exists.
 */
const bench = videoJobBench();
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const api = () => bench.api;
afterAll(() => useVeoModel("veo-test", bench.gemini.url));

type Shot = {
  frame?: boolean;
  durationSeconds?: number;
  lastFrame?: boolean;
  assets?: number;
};

/** Shots in film order, each with its own distinct first frame (and last frame / asset images). */
async function shots(settings: Record<string, unknown>, specs: Shot[]) {
  const projectId = await projectWithSettings(api(), settings);
  const made = [];
  for (const [i, spec] of specs.entries()) {
    const frame = spec.frame === false ? undefined : await storedStill(`frame-${projectId}-${i}`);
    const last = spec.lastFrame ? await storedStill(`last-${projectId}-${i}`) : undefined;
    const images = await Promise.all(
      Array.from({ length: spec.assets ?? 0 }, (_, k) =>
        storedStill(`asset-${projectId}-${i}-${k}`),
      ),
    );
    const rows = images.length
      ? await api()
          .database.db.insert(assets)
          .values(images.map((img, k) => ({ projectId, name: `a${k}`, originalUrl: img.url })))
          .returning()
      : [];
    const [board] = await api()
      .database.db.insert(storyboards)
      .values({
        projectId,
        position: i + 1,
        frameImageUrl: frame?.url ?? null,
        durationSeconds: spec.durationSeconds ?? null,
        lastFrameUrl: last?.url ?? null,
        frameAssetIds: rows.map((r) => r.id),
      })
      .returning();
    made.push({ id: board?.id as number, frame, last, images });
  }
  return { projectId, shots: made };
}

/** The JSON of the one start request the fake received since `before`. */
function startBody(before: number): Recorded["json"] {
  const starts = bench.gemini.videoStartRequests().slice(before);
  expect(starts).toHaveLength(1);
  return starts[0]?.json;
}

describe("shot videos honour the project's settings", () => {
  it("asks Veo for the project's shape and resolution, the storyboard's own length and the style", async () => {
    await useVeoModel("veo-3.1-generate-preview", bench.gemini.url);
    const { shots: made } = await shots(
      {
        aspect_ratio: "9:16",
        resolution: "720p",
        shot_seconds: 8,
        style: "watercolour, soft light",
      },
      [{ durationSeconds: 6 }],
    );
    const boardId = made[0]?.id as number;
    const estimate = await api().call(
      "POST",
      `/api/v1/storyboards/${boardId}/generate-video?estimate=true`,
      { shot_prompt: "slow pan" },
    );
    // 6 s at the default $0.40 a second: the estimate uses the length really asked for.
    expect(estimate.body).toMatchObject({ estimate_usd: 2.4, basis: { seconds: 6 } });
    const before = bench.gemini.videoStartRequests().length;
    const jobId = await submitVideo(api(), boardId);
    expect((await getJob(jobId))?.input).toMatchObject({
      model: "veo-3.1-generate-preview",
      aspect_ratio: "9:16",
      duration_seconds: 6,
      resolution: "720p",
      prompt: "slow pan\nStyle: watercolour, soft light",
    });
    const job = await runToEnd(jobId);
    expect(job.status).toBe("succeeded");
    const sent = startBody(before);
    expect(sent.parameters).toMatchObject({
      aspectRatio: "9:16",
      durationSeconds: 6,
      resolution: "720p",
    });
    expect(sent.instances[0].prompt).toBe("slow pan\nStyle: watercolour, soft light");
    expect(sent.instances[0].lastFrame).toBeUndefined();
    expect(job.result?.provenance).toMatchObject({
      aspect_ratio: "9:16",
      duration_seconds: 6,
      resolution: "720p",
      style: "watercolour, soft light",
      mapped: [],
    });
    const versions = await api().call("GET", `/api/v1/storyboards/${boardId}/versions`);
    expect(versions.body[0].provenance).toMatchObject({
      prompt: "slow pan\nStyle: watercolour, soft light",
      duration_seconds: 6,
      aspect_ratio: "9:16",
    });
  });

  it("maps what the model does not offer to the nearest it does, and says so", async () => {
    await useVeoModel("veo-3.1-generate-preview", bench.gemini.url);
    const { shots: made } = await shots({ aspect_ratio: "1:1", resolution: "1080p" }, [
      { durationSeconds: 4 },
    ]);
    const before = bench.gemini.videoStartRequests().length;
    const job = await runToEnd(await submitVideo(api(), made[0]?.id as number));
    expect(startBody(before).parameters).toMatchObject({
      aspectRatio: "16:9",
      durationSeconds: 4,
      resolution: "720p",
    });
    expect(job.input.mapped).toEqual([
      expect.objectContaining({ field: "aspect_ratio", requested: "1:1", used: "16:9" }),
      expect.objectContaining({ field: "resolution", requested: "1080p", used: "720p" }),
    ]);
  });
});

describe("continuity on the gemini route", () => {
  it("chain: a shot ends on the next shot's first frame (lastFrame), the last shot on nothing", async () => {
    await useVeoModel("veo-3.1-generate-preview", bench.gemini.url);
    const { shots: made } = await shots({ continuity: "chain" }, [{}, {}]);
    const [one, two] = made;
    let before = bench.gemini.videoStartRequests().length;
    const job = await runToEnd(await submitVideo(api(), one?.id as number));
    expect(job.status).toBe("succeeded");
    const sent = startBody(before).instances[0];
    expect(sent.image.bytesBase64Encoded).toBe(b64(one?.frame?.bytes as Uint8Array));
    expect(sent.lastFrame).toEqual({
      bytesBase64Encoded: b64(two?.frame?.bytes as Uint8Array),
      mimeType: "image/png",
    });
    expect(job.input).toMatchObject({ mode: "first_last_frame", last_frame_source: "chain" });
    before = bench.gemini.videoStartRequests().length;
    await runToEnd(await submitVideo(api(), two?.id as number));
    expect(startBody(before).instances[0].lastFrame).toBeUndefined();
  });

  it("a storyboard's own last_frame_url is sent as lastFrame", async () => {
    await useVeoModel("veo-3.1-generate-preview", bench.gemini.url);
    const { shots: made } = await shots({}, [{ lastFrame: true }]);
    const before = bench.gemini.videoStartRequests().length;
    await runToEnd(await submitVideo(api(), made[0]?.id as number));
    expect(startBody(before).instances[0].lastFrame.bytesBase64Encoded).toBe(
      b64(made[0]?.last?.bytes as Uint8Array),
    );
  });

  it("a shot with no first frame goes reference-to-video with up to 3 asset images", async () => {
    await useVeoModel("veo-3.1-generate-preview", bench.gemini.url);
    const { shots: made } = await shots({}, [{ frame: false, assets: 4, durationSeconds: 4 }]);
    const before = bench.gemini.videoStartRequests().length;
    const job = await runToEnd(await submitVideo(api(), made[0]?.id as number));
    expect(job.status).toBe("succeeded");
    const sent = startBody(before);
    expect(sent.instances[0].image).toBeUndefined();
    expect(sent.instances[0].referenceImages).toEqual(
      made[0]?.images.slice(0, 3).map((img) => ({
        image: { bytesBase64Encoded: b64(img.bytes), mimeType: "image/png" },
        referenceType: "asset",
      })),
    );
    // Reference-to-video is 8 s only: the 4 s shot is mapped, and the job says so.
    expect(sent.parameters.durationSeconds).toBe(8);
    expect(job.input).toMatchObject({ mode: "reference", duration_seconds: 8 });
  });
});

describe("unsupported combinations are refused before any job exists", () => {
  const noJobs = async (projectId: number) =>
    expect((await api().call("GET", `/api/v1/projects/${projectId}/jobs`)).body).toEqual([]);

  it("a last frame on a model without last frames → 400 naming last_frame", async () => {
    await useVeoModel("veo-3.0-generate-001", bench.gemini.url);
    const { projectId, shots: made } = await shots({}, [{ lastFrame: true }]);
    const before = bench.gemini.videoStartRequests().length;
    const res = await api().call("POST", `/api/v1/storyboards/${made[0]?.id}/generate-video`, {
      shot_prompt: "x",
    });
    expect(res).toMatchObject({
      status: 400,
      body: {
        code: "capability_unsupported",
        detail: "last_frame is not supported by veo-3.0-generate-001",
      },
    });
    await noJobs(projectId);
    expect(bench.gemini.videoStartRequests()).toHaveLength(before);
  });

  it("chain on a model without last frames sends the first frame only (the render extracts)", async () => {
    await useVeoModel("veo-3.0-generate-001", bench.gemini.url);
    const { shots: made } = await shots({ continuity: "chain" }, [{}, {}]);
    const before = bench.gemini.videoStartRequests().length;
    const job = await runToEnd(await submitVideo(api(), made[0]?.id as number));
    expect(startBody(before).instances[0].lastFrame).toBeUndefined();
    expect(job.input).toMatchObject({ mode: "first_frame", chain_extract: true });
  });

  it("reference images with a last frame → 400 naming reference_images", async () => {
    await useVeoModel("veo-3.1-generate-preview", bench.gemini.url);
    const { projectId, shots: made } = await shots({}, [
      { frame: false, assets: 2, lastFrame: true },
    ]);
    const res = await api().call("POST", `/api/v1/storyboards/${made[0]?.id}/generate-video`, {
      shot_prompt: "x",
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("capability_unsupported");
    expect(res.body.detail).toMatch(
      /^reference_images cannot be combined with a first_frame or last_frame/,
    );
    await noJobs(projectId);
  });

  it("reference images on a model without them → 400 frame_missing naming reference_images", async () => {
    await useVeoModel("veo-3.0-generate-001", bench.gemini.url);
    const { shots: made } = await shots({}, [{ frame: false, assets: 1 }]);
    const res = await api().call("POST", `/api/v1/storyboards/${made[0]?.id}/generate-video`, {
      shot_prompt: "x",
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "frame_missing" });
    expect(res.body.detail).toContain("reference_images");
  });
});

describe("continuity on the vertex route (the SDK's generateVideos)", () => {
  it("sends lastFrame and ASSET referenceImages in the request's instance", async () => {
    await useVideoRoute("vertex", bench.gemini.url);
    const { shots: chained } = await shots({ continuity: "chain" }, [{}, {}]);
    let before = bench.gemini.videoStartRequests().length;
    expect((await runToEnd(await submitVideo(api(), chained[0]?.id as number))).status).toBe(
      "succeeded",
    );
    const first = startBody(before).instances[0];
    expect(first.image.bytesBase64Encoded).toBe(b64(chained[0]?.frame?.bytes as Uint8Array));
    expect(first.lastFrame).toEqual({
      bytesBase64Encoded: b64(chained[1]?.frame?.bytes as Uint8Array),
      mimeType: "image/png",
    });

    const { shots: refs } = await shots({}, [{ frame: false, assets: 2 }]);
    before = bench.gemini.videoStartRequests().length;
    expect((await runToEnd(await submitVideo(api(), refs[0]?.id as number))).status).toBe(
      "succeeded",
    );
    const sent = startBody(before);
    expect(sent.instances[0].image).toBeUndefined();
    expect(sent.instances[0].referenceImages).toEqual(
      refs[0]?.images.map((img) => ({
        image: { bytesBase64Encoded: b64(img.bytes), mimeType: "image/png" },
        referenceType: "ASSET",
      })),
    );
    expect(sent.parameters).toMatchObject({ durationSeconds: 8, aspectRatio: "16:9" });
  });
});
