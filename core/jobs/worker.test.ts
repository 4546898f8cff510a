import { readFile } from "node:fs/promises";
import type { SQSEvent } from "aws-lambda";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handler as lambdaWorker } from "../../functions/worker.ts";
import { googleError } from "../../test/support/fakes/gemini.ts";
import {
  runToEnd,
  sqsEvent,
  storyboardWithFrame as storyboardWithFrameOf,
  submitVideo as submitVideoOf,
  useVideoRoute,
  videoJobBench,
} from "../../test/support/video-jobs.ts";
import { storyboards, versions } from "../db/schema.ts";
import { updateJob } from "./store.ts";
import { processJob } from "./worker.ts";

const bench = videoJobBench();
const worker = (event: SQSEvent) => lambdaWorker(event);
const event = sqsEvent;
const storyboardWithFrame = () => storyboardWithFrameOf(bench.api);
const submitVideo = (boardId: number, headers: Record<string, string> = {}) =>
  submitVideoOf(bench.api, boardId, headers);

describe("shot video jobs through the real @google/genai against a fake Veo", () => {
  it("starts exactly one paid generation when the message is delivered three times at once", async () => {
    const boardId = await storyboardWithFrame();
    const jobId = await submitVideo(boardId);
    const before = bench.gemini.acceptedVideoStarts();
    const results = await Promise.all([
      worker(event(jobId)),
      worker(event(jobId)),
      worker(event(jobId)),
    ]);
    expect(results.flatMap((r) => r.batchItemFailures)).toEqual([]);
    const job = await runToEnd(jobId);
    expect(job).toMatchObject({ status: "succeeded", progress: 100 });
    expect(bench.gemini.acceptedVideoStarts() - before).toBe(1);
    const [board] = await bench.api.database.db
      .select()
      .from(storyboards)
      .where(eq(storyboards.id, boardId));
    expect(board?.shotVideoUrl).toBe(job.result?.shot_video_url);
    expect(board?.shotPrompt).toBe("slow pan");
    expect(job.result?.provenance).toMatchObject({
      provider: "gemini-veo",
      model: "veo-test",
      prompt: "slow pan",
    });
    // The clip's stream parameters are kept with its version, for the final cut.
    const [version] = await bench.api.database.db
      .select()
      .from(versions)
      .where(eq(versions.id, board?.videoVersionId as number));
    expect(version?.provenance).toMatchObject({
      media: {
        video: { codec: "h264", width: 320, height: 180, frameRate: "24/1", duration: 1 },
        audio: { codec: "aac", sampleRate: 48000 },
      },
    });
    // Late duplicates of a finished job change nothing and start nothing.
    await worker(event(jobId, 3));
    expect(bench.gemini.acceptedVideoStarts() - before).toBe(1);
    expect((await bench.api.call("GET", `/api/v1/jobs/${jobId}`)).body.status).toBe("succeeded");
  });

  it("does not start again after a crash between starting and saving the operation", async () => {
    const jobId = await submitVideo(await storyboardWithFrame());
    // The crashed worker's footprint: running, start claimed, no operation recorded.
    await updateJob(jobId, {
      from: ["queued"],
      set: {
        status: "running",
        start_claim: "dead-worker",
        start_lease_until: new Date(Date.now() - 1000).toISOString(),
      },
    });
    const before = bench.gemini.acceptedVideoStarts();
    const job = await runToEnd(jobId);
    expect(job).toMatchObject({ status: "failed", error: { code: "start_interrupted" } });
    expect(bench.gemini.acceptedVideoStarts()).toBe(before);
  });

  it("resumes the saved operation after a crash after saving it", async () => {
    const jobId = await submitVideo(await storyboardWithFrame());
    await processJob(jobId); // starts and saves the operation, then "crashes"
    const started = bench.gemini.acceptedVideoStarts();
    const job = await runToEnd(jobId);
    expect(job.status).toBe("succeeded");
    expect(bench.gemini.acceptedVideoStarts()).toBe(started);
  });

  it("backs off on a 429/500 burst at start and still starts exactly once", async () => {
    const jobId = await submitVideo(await storyboardWithFrame());
    const start = (r: { path: string }) => r.path.endsWith(":predictLongRunning");
    bench.gemini.faults.push(
      { ...googleError(429, "RESOURCE_EXHAUSTED", "Quota exceeded"), match: start },
      { ...googleError(503, "UNAVAILABLE", "overloaded"), match: start },
    );
    const before = bench.gemini.acceptedVideoStarts();
    const job = await runToEnd(jobId);
    expect(job.status).toBe("succeeded");
    expect(bench.gemini.acceptedVideoStarts() - before).toBe(1);
  });

  it("fails with rai_filtered and the provider's reasons", async () => {
    bench.gemini.veo = { pendingChecks: 0, outcome: "filtered" };
    const job = await runToEnd(await submitVideo(await storyboardWithFrame()));
    expect(job).toMatchObject({
      status: "failed",
      error: { code: "rai_filtered", reasons: ["Celebrity likeness"] },
    });
  });

  it("fails with operation_failed when the operation reports an error", async () => {
    bench.gemini.veo = { pendingChecks: 0, outcome: "error" };
    const job = await runToEnd(await submitVideo(await storyboardWithFrame()));
    expect(job).toMatchObject({ status: "failed", error: { code: "operation_failed" } });
    expect(job.error?.message).toContain("invalid image");
  });

  it("fails a refused start (model not found) with a typed error naming the setting", async () => {
    const start = (r: { path: string }) => r.path.endsWith(":predictLongRunning");
    bench.gemini.faults.push({
      ...googleError(404, "NOT_FOUND", "models/veo-test is not found"),
      match: start,
    });
    const job = await runToEnd(await submitVideo(await storyboardWithFrame()));
    expect(job).toMatchObject({ status: "failed", error: { code: "model_not_found" } });
    expect(job.error?.message).toContain("VEO_MODEL");
  });
});

describe("job API", () => {
  it("maps a repeated Idempotency-Key to the same job", async () => {
    const boardId = await storyboardWithFrame();
    const a = await submitVideo(boardId, { "idempotency-key": "click-1" });
    const b = await submitVideo(boardId, { "idempotency-key": "click-1" });
    const c = await submitVideo(boardId, { "idempotency-key": "click-2" });
    expect(b).toBe(a);
    expect(c).not.toBe(a);
  });

  it("validates before queueing and answers unknown jobs with 404", async () => {
    const projectId = (await bench.api.call("POST", "/api/v1/projects", { name: "empty" })).body.id;
    const [board] = await bench.api.database.db
      .insert(storyboards)
      .values({ projectId, position: 0 })
      .returning();
    const noFrame = await bench.api.call(
      "POST",
      `/api/v1/storyboards/${board?.id}/generate-video`,
      {
        shot_prompt: "x",
      },
    );
    expect(noFrame).toMatchObject({ status: 400, body: { code: "frame_missing" } });
    const noVideos = await bench.api.call("POST", `/api/v1/projects/${projectId}/compose-video`);
    expect(noVideos).toMatchObject({
      status: 400,
      body: { detail: `项目 ${projectId} 的分镜都没有生成视频` },
    });
    expect(
      (await bench.api.call("GET", "/api/v1/jobs/00000000-0000-4000-8000-000000000000")).status,
    ).toBe(404);
    // Any spelling of an id that does not exist is a 404, not a validation error.
    expect((await bench.api.call("GET", "/api/v1/jobs/not-a-uuid")).status).toBe(404);
    expect((await bench.api.call("GET", "/api/v1/projects/999999/jobs")).status).toBe(404);
    const listed = await bench.api.call("GET", `/api/v1/projects/${projectId}/jobs`);
    expect(listed).toMatchObject({ status: 200, body: [] });
  });
});

describe.each(["vertex", "interactions"] as const)("the %s video route", (route) => {
  beforeAll(() => useVideoRoute(route, bench.gemini.url));
  afterAll(() => useVideoRoute("gemini", bench.gemini.url));

  it("starts once under triple delivery and stores the finished clip", async () => {
    const jobId = await submitVideo(await storyboardWithFrame());
    const before = bench.gemini.acceptedVideoStarts();
    await Promise.all([worker(event(jobId)), worker(event(jobId)), worker(event(jobId))]);
    const job = await runToEnd(jobId);
    expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
    expect(bench.gemini.acceptedVideoStarts() - before).toBe(1);
    expect(job.result?.provenance).toMatchObject({
      provider: route === "vertex" ? "vertex-veo" : "gemini-interactions",
    });
    const saved = await readFile(
      (await import("../storage/local.ts")).localPath(
        (await import("../storage/local.ts")).localKeyOf(
          String(job.result?.shot_video_url),
        ) as string,
      ),
    );
    expect(saved.equals(bench.gemini.video)).toBe(true);
  });

  it("reports filtered output as rai_filtered", async () => {
    bench.gemini.veo = { pendingChecks: 0, outcome: "filtered" };
    const job = await runToEnd(await submitVideo(await storyboardWithFrame()));
    expect(job).toMatchObject({ status: "failed", error: { code: "rai_filtered" } });
  });

  it("reports a failed operation as operation_failed", async () => {
    bench.gemini.veo = { pendingChecks: 0, outcome: "error" };
    const job = await runToEnd(await submitVideo(await storyboardWithFrame()));
    expect(job).toMatchObject({ status: "failed", error: { code: "operation_failed" } });
  });
});
