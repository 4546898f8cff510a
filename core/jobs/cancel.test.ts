import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { callsOf, drive, renderBench, scriptedProject, settle } from "../../test/support/render.ts";
import { storyboards, versions } from "../db/schema.ts";
import { createProviders, useProviders } from "../providers/index.ts";
import { submitChild } from "./service.ts";
import { getJob, listProjectJobs } from "./store.ts";
import type { Job } from "./types.ts";
import { processJob } from "./worker.ts";

const bench = renderBench();

const STAGE_TYPES: Record<string, Job["type"]> = {
  asset_images: "generate_asset_images",
  storyboards: "generate_storyboards",
  frames: "generate_frame",
  videos: "generate_video",
  final_cut: "compose_video",
};

const startRender = async (projectId: number) => {
  const res = await bench.api.call("POST", `/api/v1/projects/${projectId}/render`, {});
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.job_id as string;
};
const cancel = (jobId: string) => bench.api.call("POST", `/api/v1/jobs/${jobId}/cancel`);
const childrenOf = async (projectId: number, parentId: string) =>
  (await listProjectJobs(projectId, 200)).filter((j) => j.parent_id === parentId);

/**
 * Drives a render until it has just submitted the children of `stage` (none of them has run),
 * cancels it there, runs whatever is left, and returns the ledger before and after.
 */
async function cancelAt(stage: string) {
  const id = await scriptedProject(bench.api, `cancel-${stage}`);
  const renderId = await startRender(id);
  let at: { ledger: number; versions: number } | undefined;
  const job = await drive(id, renderId, {
    before: async () => {
      const render = (await getJob(renderId)) as Job;
      if (render.stage !== stage || at) return;
      at = await callsOf(bench.api, id);
      const res = await cancel(renderId);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ status: "canceled", type: "render_film" });
    },
  });
  await settle(id);
  return { id, renderId, job, at, after: await callsOf(bench.api, id) };
}

describe("POST /jobs/{id}/cancel on a render", () => {
  it.each(["asset_images", "storyboards", "frames", "videos", "final_cut"])(
    "canceled at %s: its queued children never start and no provider is called after it",
    async (stage) => {
      const { id, renderId, job, at, after } = await cancelAt(stage);
      expect(at, `the render never reached ${stage}`).toBeDefined();
      expect(job.status).toBe("canceled");
      // Not one provider call (offline calls are on the ledger too) and nothing made after it.
      expect(after).toEqual(at);
      // The stage's children were submitted before the cancel; every one ended canceled.
      const children = await childrenOf(id, renderId);
      const current = children.filter((c) => STAGE_TYPES[stage] === c.type);
      expect(current.length).toBeGreaterThan(0);
      expect(current.every((c) => c.status === "canceled")).toBe(true);
      expect(children.filter((c) => c.status === "queued" || c.status === "running")).toEqual([]);
      const project = (await bench.api.call("GET", `/api/v1/projects/${id}`)).body;
      expect(project.project.video_url).toBeNull();
    },
    60_000,
  );

  it("lets a shot video that was already rendering finish, keeps it as a version, and does not use it", async () => {
    const id = await scriptedProject(bench.api, "cancel-rendering");
    const renderId = await startRender(id);
    let started: Job | undefined;
    const job = await drive(id, renderId, {
      before: async () => {
        const render = (await getJob(renderId)) as Job;
        if (render.stage !== "videos" || started) return;
        // One video's paid start goes out (its first step); then the render is canceled.
        const [video] = (await childrenOf(id, renderId)).filter((c) => c.type === "generate_video");
        await processJob(video?.job_id as string);
        started = await getJob(video?.job_id as string);
        expect(started?.operation).toBeDefined();
        const res = await cancel(renderId);
        expect(res.status).toBe(200);
        const child = (await bench.api.call("GET", `/api/v1/jobs/${started?.job_id}`)).body;
        expect(child).toMatchObject({ status: "running", cancel_requested: true });
      },
    });
    expect(job.status).toBe("canceled");
    const at = await callsOf(bench.api, id);
    await settle(id);
    const video = (await getJob(started?.job_id as string)) as Job;
    expect(video).toMatchObject({
      status: "canceled",
      result: { shot_video_url: expect.any(String) },
    });
    // Kept in the history, not made current; no new paid call (its ledger row was written at start).
    const [board] = await bench.api.database.db
      .select()
      .from(storyboards)
      .where(eq(storyboards.id, video.storyboard_id as number));
    expect(board?.shotVideoUrl).toBeNull();
    expect(board?.videoVersionId).toBeNull();
    const kept = await bench.api.database.db
      .select()
      .from(versions)
      .where(eq(versions.storyboardId, video.storyboard_id as number));
    expect(kept.filter((v) => v.kind === "video").map((v) => v.url)).toEqual([
      video.result?.shot_video_url,
    ]);
    expect((await callsOf(bench.api, id)).ledger).toBe(at.ledger);
    // The user may still select it.
    const history = await bench.api.call(
      "GET",
      `/api/v1/storyboards/${video.storyboard_id}/versions`,
    );
    expect(history.body.find((v: { kind: string }) => v.kind === "video")).toMatchObject({
      current: false,
    });
  }, 60_000);

  it("ends a child the render was submitting at the moment it was canceled, before it pays", async () => {
    const id = await scriptedProject(bench.api, "cancel-race");
    const renderId = await startRender(id);
    expect((await cancel(renderId)).status).toBe(200);
    const render = (await getJob(renderId)) as Job;
    const before = await callsOf(bench.api, id);
    // The render's step had read "running" and submits its asset batch after the cancel.
    const { job: child } = await submitChild(render, "generate_asset_images", "late", {});
    await processJob(child.job_id);
    expect((await getJob(child.job_id))?.status).toBe("canceled");
    expect(await callsOf(bench.api, id)).toEqual(before);
  });

  it("stops a running asset batch between images: nothing is drawn after the cancel", async () => {
    const id = await scriptedProject(bench.api, "cancel-batch");
    const { config, resetConfig } = await import("../config.ts");
    process.env.ASSET_IMAGE_CONCURRENCY = "1";
    resetConfig();
    const real = (await createProviders(config())).image;
    let draws = 0;
    let batchId = "";
    // The offline image model, with the user's cancel arriving while it draws the first image.
    useProviders({
      image: {
        ...real,
        generate: async (request) => {
          draws++;
          if (draws === 1) expect((await cancel(batchId)).status).toBe(200);
          return real.generate(request);
        },
      },
    });
    try {
      const res = await bench.api.call("POST", `/api/v1/projects/${id}/generate-asset-images`);
      expect(res.status).toBe(202);
      batchId = res.body.job_id;
      await processJob(batchId);
      expect((await getJob(batchId))?.status).toBe("canceled");
      expect(draws).toBe(1);
      const assets = (await bench.api.call("GET", `/api/v1/projects/${id}`)).body.assets;
      expect(assets.length).toBeGreaterThan(1);
    } finally {
      useProviders(undefined);
      delete process.env.ASSET_IMAGE_CONCURRENCY;
      resetConfig();
    }
  });

  it("keeps a frame that was being drawn when the render was canceled, without making it current", async () => {
    const id = await scriptedProject(bench.api, "cancel-drawing");
    const renderId = await startRender(id);
    const { config } = await import("../config.ts");
    const real = (await createProviders(config())).image;
    let frameJob: Job | undefined;
    await drive(id, renderId, {
      before: async () => {
        const render = (await getJob(renderId)) as Job;
        if (render.stage !== "frames" || frameJob) return;
        frameJob = (await childrenOf(id, renderId)).find((c) => c.type === "generate_frame");
        // The user's cancel arrives while the image model draws this frame.
        useProviders({
          image: {
            ...real,
            generate: async (request) => {
              expect((await cancel(renderId)).status).toBe(200);
              return real.generate(request);
            },
          },
        });
        try {
          await processJob(frameJob?.job_id as string);
        } finally {
          useProviders(undefined);
        }
      },
    });
    const boardId = frameJob?.storyboard_id as number;
    const [board] = await bench.api.database.db
      .select()
      .from(storyboards)
      .where(eq(storyboards.id, boardId));
    const kept = await bench.api.database.db
      .select()
      .from(versions)
      .where(eq(versions.storyboardId, boardId));
    expect(kept.map((v) => v.kind)).toEqual(["frame"]);
    expect(board).toMatchObject({ frameImageUrl: null, frameVersionId: null });
    expect((await getJob(frameJob?.job_id as string))?.status).toBe("canceled");
  }, 60_000);

  it("answers 409 for a finished job and 404 for an unknown one", async () => {
    const id = await scriptedProject(bench.api, "cancel-finished");
    const renderId = await startRender(id);
    expect((await cancel(renderId)).status).toBe(200);
    const again = await cancel(renderId);
    expect(again).toMatchObject({ status: 409, body: { code: "job_finished" } });
    const unknown = await cancel("00000000-0000-4000-8000-000000000000");
    expect(unknown).toMatchObject({ status: 404, body: { code: "not_found" } });
  });
});
