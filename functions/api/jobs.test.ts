import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storyboards } from "../../core/db/schema.ts";
import { updateJob } from "../../core/jobs/store.ts";
import { testApi } from "../../test/support/app.ts";
import { type Emulators, startEmulators } from "../local/emulators.ts";

let api: Awaited<ReturnType<typeof testApi>>;
let emulators: Emulators;

beforeAll(async () => {
  emulators = await startEmulators();
  api = await testApi();
});
afterAll(() => emulators?.stop());

/** A queued shot-video job (nothing runs the worker here, so it stays queued). */
async function queuedJob(): Promise<string> {
  const project = (await api.call("POST", "/api/v1/projects", { name: "jobs" })).body.id;
  const [board] = await api.database.db
    .insert(storyboards)
    .values({ projectId: project, position: 0, frameImageUrl: "https://cdn.example.com/f.png" })
    .returning();
  const res = await api.call("POST", `/api/v1/storyboards/${board?.id}/generate-video`, {
    shot_prompt: "pan",
  });
  expect(res.status).toBe(202);
  return res.body.job_id;
}

describe("GET /jobs/{job_id}", () => {
  it("answers 404 not_found for an id that does not exist, in any spelling", async () => {
    for (const id of [
      randomUUID(),
      "not-a-uuid",
      "1",
      "%F0%9F%98%80",
      "x".repeat(300),
      // The rate limiter's counters share the job table; their keys are not jobs.
      "rate%23local%23-%23read%230",
    ]) {
      const res = await api.call("GET", `/api/v1/jobs/${id}`);
      expect(res.status, id).toBe(404);
      expect(res.body.code).toBe("not_found");
    }
  });

  it("finds a job by its id in any letter case", async () => {
    const id = await queuedJob();
    const res = await api.call("GET", `/api/v1/jobs/${id.toUpperCase()}`);
    expect(res).toMatchObject({ status: 200, body: { job_id: id } });
  });

  it("sends a Retry-After poll hint while the job is queued or running, and none once it ended", async () => {
    const id = await queuedJob();
    const queued = await api.call("GET", `/api/v1/jobs/${id}`);
    expect(queued.body.status).toBe("queued");
    expect(queued.headers.get("retry-after")).toBe("2");
    await updateJob(id, {
      from: ["queued"],
      set: { status: "failed", error: { code: "x", message: "x" } },
    });
    const ended = await api.call("GET", `/api/v1/jobs/${id}`);
    expect(ended.body.status).toBe("failed");
    expect(ended.headers.get("retry-after")).toBeNull();
  });

  it("holds the answer with Prefer: wait=N until the job ends", async () => {
    const id = await queuedJob();
    const before = api.queries.length;
    const waiting = api.call("GET", `/api/v1/jobs/${id}`, undefined, { prefer: "wait=20" });
    // The route has read the job (still queued) once it checks the project's owner in SQL.
    while (api.queries.length === before) await new Promise(setImmediate);
    await updateJob(id, {
      from: ["queued"],
      set: { status: "succeeded", progress: 100, result: { shot_video_url: "https://x/v.mp4" } },
    });
    const res = await waiting;
    expect(res).toMatchObject({ status: 200, body: { status: "succeeded" } });
    expect(res.headers.get("retry-after")).toBeNull();
    // Not done within the wait: the job as it is, with the hint.
    const other = await api.call("GET", `/api/v1/jobs/${await queuedJob()}`, undefined, {
      prefer: "wait=1",
    });
    expect(other).toMatchObject({ status: 200, body: { status: "queued" } });
    expect(other.headers.get("retry-after")).toBe("2");
  });
});
