import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import {
  storyboardWithFrame,
  useVideoRoute,
  videoJobBench,
} from "../../test/support/video-jobs.ts";
import { resetConfig } from "../config.ts";
import { spend, storyboards } from "../db/schema.ts";
import { listProjectJobs } from "../jobs/store.ts";

/** Live (priced) providers against the fake Gemini: a render's estimate costs real money. */
const bench = videoJobBench();

const render = (projectId: number, body: Record<string, unknown> = {}) =>
  bench.api.call("POST", `/api/v1/projects/${projectId}/render`, body);
const projectOf = async (boardId: number) =>
  (
    await bench.api.database.db
      .select({ projectId: storyboards.projectId })
      .from(storyboards)
      .where(eq(storyboards.id, boardId))
  )[0]?.projectId as number;

afterEach(() => {
  delete process.env.OWNER_BUDGET_USD;
  resetConfig();
});

describe("render refusals, before any paid call", () => {
  it("refuses a render whose estimate goes past what is left of the budget with 402, and prices it in the dry run", async () => {
    await useVideoRoute("gemini", bench.gemini.url);
    process.env.OWNER_BUDGET_USD = "1";
    resetConfig();
    const projectId = await projectOf(await storyboardWithFrame(bench.api));

    // One 8 s shot video at $0.40/s: $3.20, more than the $1 left.
    const dry = await render(projectId, { dry_run: true });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body.estimate).toEqual({ usd: 3.2, paid_calls: 1, calls: 1 });
    expect(dry.body.budget).toEqual({ limit_usd: 1, spent_usd: 0, remaining_usd: 1 });

    const refused = await render(projectId);
    expect(refused).toMatchObject({ status: 402, body: { code: "budget_exceeded" } });
    expect(refused.body.detail).toMatch(/\$3\.20/);
    expect(bench.gemini.requests).toEqual([]);
    expect(await listProjectJobs(projectId)).toEqual([]);

    // The same render fits a larger budget.
    process.env.OWNER_BUDGET_USD = "10";
    resetConfig();
    const accepted = await render(projectId);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    expect(bench.gemini.requests).toEqual([]);
  });

  it("refuses even the dry run once the budget is spent (402, like any paid route)", async () => {
    await useVideoRoute("gemini", bench.gemini.url);
    const projectId = await projectOf(await storyboardWithFrame(bench.api));
    await bench.api.database.db.insert(spend).values({
      owner: "local",
      projectId,
      kind: "video",
      provider: "gemini-veo",
      model: "m",
      units: {},
      costUsd: 2,
    });
    process.env.OWNER_BUDGET_USD = "2";
    resetConfig();
    for (const body of [{}, { dry_run: true }]) {
      expect(await render(projectId, body)).toMatchObject({
        status: 402,
        body: { code: "budget_exceeded" },
      });
    }
    expect(bench.gemini.requests).toEqual([]);
  });

  it("refuses a shot the video model cannot make with the capability table's 400, naming it", async () => {
    // veo-test is not in the table: first frame only, no last frame.
    await useVideoRoute("gemini", bench.gemini.url);
    const boardId = await storyboardWithFrame(bench.api);
    const projectId = await projectOf(boardId);
    await bench.api.database.db
      .update(storyboards)
      .set({ lastFrameUrl: "https://cdn.example.com/end.png" })
      .where(eq(storyboards.id, boardId));
    for (const body of [{}, { dry_run: true }]) {
      const res = await render(projectId, body);
      expect(res).toMatchObject({ status: 400, body: { code: "capability_unsupported" } });
      expect(res.body.detail).toMatch(/last_frame/);
    }
    expect(bench.gemini.requests).toEqual([]);
    expect(await listProjectJobs(projectId)).toEqual([]);
  });

  it("plans chain continuity without last frames as serialised shots, each from the previous one's real last frame", async () => {
    await useVideoRoute("gemini", bench.gemini.url);
    const first = await storyboardWithFrame(bench.api);
    const projectId = await projectOf(first);
    const [second] = await bench.api.database.db
      .insert(storyboards)
      .values({ projectId, position: 1, frameImageUrl: "https://cdn.example.com/f2.png" })
      .returning();
    const patched = await bench.api.call("PATCH", `/api/v1/projects/${projectId}`, {
      settings: { continuity: "chain" },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const dry = await render(projectId, { dry_run: true });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    const frame = dry.body.plan.find(
      (s: { stage: string; storyboard_id?: number }) =>
        s.stage === "frames" && s.storyboard_id === second?.id,
    );
    expect(frame).toMatchObject({
      action: "regenerate",
      reason: "previous_video",
      from_storyboard_id: first,
      note: expect.stringContaining("serialised"),
    });
    // The chained frame is taken with ffmpeg: two videos are the only provider calls.
    expect(dry.body.estimate).toMatchObject({ paid_calls: 2, calls: 2 });
  });
});
