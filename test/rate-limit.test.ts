import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createApiKey } from "../core/auth.ts";
import { storyboards } from "../core/db/schema.ts";
import { updateJob } from "../core/jobs/store.ts";
import { rateClassOf } from "../core/rate-limit.ts";
import { type Emulators, startEmulators } from "../functions/local/emulators.ts";
import { testApi } from "./support/app.ts";

let api: Awaited<ReturnType<typeof testApi>>;
let emulators: Emulators;
let key = "";
let other = "";

beforeAll(async () => {
  emulators = await startEmulators();
  Object.assign(process.env, {
    AUTH_REQUIRED: "true",
    RATE_LIMIT_GENERATION: "3",
    RATE_LIMIT_VIDEO: "100",
    MAX_ACTIVE_VIDEO_JOBS: "2",
  });
  api = await testApi();
  key = (await createApiKey("burst")).key;
  other = (await createApiKey("calm")).key;
});
afterAll(async () => {
  vi.useRealTimers();
  for (const name of [
    "AUTH_REQUIRED",
    "RATE_LIMIT_GENERATION",
    "RATE_LIMIT_VIDEO",
    "MAX_ACTIVE_VIDEO_JOBS",
  ]) {
    delete process.env[name];
  }
  await emulators?.stop();
});

const frame = (k: string) =>
  api.call(
    "POST",
    "/api/v1/storyboards/999999/generate-frame",
    { frame_prompt: "x", frame_asset_ids: [] },
    {
      authorization: `Bearer ${k}`,
    },
  );

describe("rate limits (DynamoDB atomic counters, shared by every Lambda)", () => {
  it("classifies requests by what they cost", () => {
    expect(rateClassOf("POST", "/api/v1/storyboards/1/generate-video")).toBe("video");
    expect(rateClassOf("POST", "/api/v1/projects/1/compose-video")).toBe("video");
    expect(rateClassOf("POST", "/api/v1/storyboards/1/generate-frame")).toBe("generation");
    expect(rateClassOf("POST", "/api/v1/projects/1/assets")).toBe("generation");
    expect(rateClassOf("POST", "/api/v1/projects")).toBe("read");
    expect(rateClassOf("GET", "/api/v1/projects/1")).toBe("read");
  });

  it("answers a burst over the limit with 429 and Retry-After, per key, and resets with the window", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-23T12:00:05Z"));
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await frame(key)).status);
    expect(statuses).toEqual([404, 404, 404, 429, 429]);
    const limited = await frame(key);
    expect(limited.body).toMatchObject({ code: "rate_limited" });
    expect(Number(limited.headers.get("retry-after"))).toBe(55);
    // Another key, and another class for the same key, have their own budgets.
    expect((await frame(other)).status).toBe(404);
    expect(
      (await api.call("GET", "/api/v1/projects", undefined, { authorization: `Bearer ${key}` }))
        .status,
    ).toBe(200);
    vi.setSystemTime(new Date("2026-11-23T12:01:01Z"));
    expect((await frame(key)).status).toBe(404);
  });

  it("caps an owner's concurrent shot videos", async () => {
    vi.useRealTimers();
    const owner = (await createApiKey("director")).key;
    const auth = { authorization: `Bearer ${owner}` };
    const project = (await api.call("POST", "/api/v1/projects", { name: "cap" }, auth)).body.id;
    const boards = await api.database.db
      .insert(storyboards)
      .values(
        [0, 1, 2].map((position) => ({
          projectId: project,
          position,
          frameImageUrl: "https://cdn.example.com/f.png",
        })),
      )
      .returning();
    const submit = (id: number) =>
      api.call("POST", `/api/v1/storyboards/${id}/generate-video`, { shot_prompt: "x" }, auth);
    const first = await submit(boards[0]?.id as number);
    expect((await submit(boards[1]?.id as number)).status).toBe(202);
    const third = await submit(boards[2]?.id as number);
    expect(third).toMatchObject({ status: 429, body: { code: "too_many_video_jobs" } });
    expect(third.headers.get("retry-after")).toBe("30");
    await updateJob(first.body.job_id, {
      from: ["queued"],
      set: { status: "failed", error: { code: "x", message: "x" } },
    });
    const { countActiveJobs } = await import("../core/jobs/store.ts");
    expect(await countActiveJobs("director", "generate_video")).toBe(1);
    expect((await submit(boards[2]?.id as number)).status).toBe(202);
  });
});
