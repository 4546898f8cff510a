import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createApiKey } from "../core/auth.ts";
import { resetConfig } from "../core/config.ts";
import { storyboards } from "../core/db/schema.ts";
import { updateJob } from "../core/jobs/store.ts";
import { rateClassOf, resetRateLimiter } from "../core/rate-limit.ts";
import { handler as projectsHandler } from "../functions/api/projects.ts";
import { type Emulators, startEmulators } from "../functions/local/emulators.ts";
import { testApi } from "./support/app.ts";
import { apiGatewayEvent, lambdaContext } from "./support/lambda.ts";

let api: Awaited<ReturnType<typeof testApi>>;
let emulators: Emulators;
const LIMITS = ["RATE_LIMIT_READ", "RATE_LIMIT_GENERATION", "RATE_LIMIT_VIDEO"] as const;
/** Settings a test changes; each is put back after it. */
const CHANGED = [
  ...LIMITS,
  "RATE_LIMIT_AUTH_FAILURES",
  "RATE_LIMIT_LOCAL",
  "AUTH_REQUIRED",
  "JOBS_TABLE",
  "AWS_ENDPOINT_URL_DYNAMODB",
];
let saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  emulators = await startEmulators();
  process.env.MAX_ACTIVE_VIDEO_JOBS = "2";
  api = await testApi();
});
afterAll(async () => {
  delete process.env.MAX_ACTIVE_VIDEO_JOBS;
  await emulators?.stop();
});

/** Keys required and the deployed defaults (vitest.config turns limits off for other suites). */
function deployed(overrides: Record<string, string> = {}) {
  saved = Object.fromEntries(CHANGED.map((name) => [name, process.env[name]]));
  for (const name of LIMITS) delete process.env[name];
  Object.assign(process.env, { AUTH_REQUIRED: "true", ...overrides });
  resetConfig();
}
afterEach(() => {
  vi.useRealTimers();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  saved = {};
  resetConfig();
  resetRateLimiter();
});

/** Fixed one-minute windows: start each test at the top of its own minute, with time frozen. */
let minute = 0;
function freshWindow(secondsIn = 1) {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.UTC(2026, 10, 23, 12, minute++, secondsIn));
}

const as = (key: string) => ({ authorization: `Bearer ${key}` });

describe("rate limits (DynamoDB atomic counters, shared by every Lambda)", () => {
  it("classifies requests by what they cost", () => {
    expect(rateClassOf("POST", "/api/v1/storyboards/1/generate-video")).toBe("video");
    expect(rateClassOf("POST", "/api/v1/projects/1/compose-video")).toBe("video");
    expect(rateClassOf("POST", "/api/v1/storyboards/1/generate-frame")).toBe("generation");
    expect(rateClassOf("POST", "/api/v1/projects/1/assets")).toBe("generation");
    expect(rateClassOf("POST", "/api/v1/projects")).toBe("read");
    expect(rateClassOf("GET", "/api/v1/projects/1")).toBe("read");
  });

  it("lets a 30-shot project go from idea to film at the documented polling pace without a 429", async () => {
    deployed();
    freshWindow();
    const key = (await createApiKey("studio")).key;
    const send = (method: string, path: string, body?: unknown) =>
      api.call(method, path, body, as(key));
    // The limiter counts a request by key, class and minute before the route runs, so the paid
    // steps aim at a storyboard that does not exist (404): same counts, no renders.
    const board = "/api/v1/storyboards/999999";
    const project = (await send("POST", "/api/v1/projects", { name: "30 shots" })).body.id;
    const statuses: number[] = [];
    const record = async (reply: Promise<{ status: number }>) =>
      statuses.push((await reply).status);
    const idea = { script_or_idea: "x", prompt_template: "${script_or_idea}" };
    await record(send("POST", "/api/v1/projects/999999/generate-script", idea));
    await record(send("POST", "/api/v1/projects/999999/assets", { asset_urls: [] }));
    await record(send("POST", "/api/v1/projects/999999/generate-asset-images"));
    await record(send("POST", "/api/v1/projects/999999/generate-storyboards", idea));
    // Every first frame at once, then every shot estimated and started at once.
    const frame = { frame_prompt: "x", frame_asset_ids: [] };
    await Promise.all(
      Array.from({ length: 30 }, () => record(send("POST", `${board}/generate-frame`, frame))),
    );
    const shot = { shot_prompt: "x" };
    for (const query of ["?estimate=true", ""])
      await Promise.all(
        Array.from({ length: 30 }, () =>
          record(send("POST", `${board}/generate-video${query}`, shot)),
        ),
      );
    await record(send("POST", "/api/v1/projects/999999/compose-video?estimate=true"));
    await record(send("POST", "/api/v1/projects/999999/compose-video"));
    // A minute of polling three jobs twice a second, and the project page every 2 s.
    const jobs = [randomUUID(), randomUUID(), randomUUID()];
    for (let tick = 0; tick < 120; tick++) {
      await Promise.all(jobs.map((id) => record(send("GET", `/api/v1/jobs/${id}`))));
      if (tick % 4 === 0) await record(send("GET", `/api/v1/projects/${project}`));
    }
    expect(statuses).toHaveLength(486);
    expect(statuses.filter((s) => s === 429 || s >= 500)).toEqual([]);
  }, 60_000);

  it("still fires past the deployed defaults, per class and key", async () => {
    deployed();
    freshWindow(5);
    const key = (await createApiKey("greedy")).key;
    const other = (await createApiKey("patient")).key;
    const over = async (
      limit: number,
      request: (
        k: string,
      ) => Promise<{ status: number; headers: Headers; body: { code?: string } }>,
    ) => {
      for (let i = 0; i < limit; i++) expect((await request(key)).status).not.toBe(429);
      const refused = await request(key);
      expect(refused).toMatchObject({ status: 429, body: { code: "rate_limited" } });
      expect(refused.headers.get("retry-after")).toBe("55");
      expect((await request(other)).status).not.toBe(429);
    };
    await over(60, (k) => api.call("POST", "/api/v1/storyboards/999999/generate-frame", {}, as(k)));
    await over(120, (k) =>
      api.call("POST", "/api/v1/storyboards/999999/generate-video", {}, as(k)),
    );
    await over(1200, (k) => api.call("GET", "/api/v1/jobs/unknown", undefined, as(k)));
  }, 120_000);

  it("answers a burst over a configured limit with 429 and Retry-After, and resets with the window", async () => {
    deployed({ RATE_LIMIT_GENERATION: "3" });
    freshWindow(5);
    const key = (await createApiKey("burst")).key;
    const frame = () => api.call("POST", "/api/v1/storyboards/999999/generate-frame", {}, as(key));
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await frame()).status);
    expect(statuses).toEqual([422, 422, 422, 429, 429]);
    vi.setSystemTime(Date.now() + 56_000);
    expect((await frame()).status).toBe(422);
  });

  it("does not limit keyless requests in open local mode unless RATE_LIMIT_LOCAL is set", async () => {
    deployed({ AUTH_REQUIRED: "false", RATE_LIMIT_GENERATION: "1" });
    freshWindow();
    const frame = () => api.call("POST", "/api/v1/storyboards/999999/generate-frame", {});
    expect([(await frame()).status, (await frame()).status]).toEqual([422, 422]);
    process.env.RATE_LIMIT_LOCAL = "true";
    resetConfig();
    freshWindow();
    expect([(await frame()).status, (await frame()).status]).toEqual([422, 429]);
  });

  it("answers 503 with Retry-After, never 500, when the counter store fails", async () => {
    const key = (await createApiKey("outage")).key;
    deployed({ JOBS_TABLE: "no-such-table" });
    resetRateLimiter();
    const missing = await api.call("GET", "/api/v1/projects", undefined, as(key));
    expect(missing).toMatchObject({ status: 503, body: { code: "rate_limiter_unavailable" } });
    expect(missing.headers.get("retry-after")).toBe("5");
    process.env.JOBS_TABLE = saved.JOBS_TABLE ?? "storyboard-jobs";
    process.env.AWS_ENDPOINT_URL_DYNAMODB = "http://127.0.0.1:9";
    resetConfig();
    resetRateLimiter();
    const down = await api.call("GET", "/api/v1/projects", undefined, as(key));
    expect(down).toMatchObject({ status: 503, body: { code: "rate_limiter_unavailable" } });
  });

  it("limits failed authentications per source address", async () => {
    deployed({ RATE_LIMIT_AUTH_FAILURES: "3" });
    freshWindow(5);
    const good = (await createApiKey("honest")).key;
    const attempt = (key: string, sourceIp: string) => {
      const event = apiGatewayEvent("GET", "/api/v1/projects");
      event.headers = { ...event.headers, authorization: `Bearer ${key}` } as typeof event.headers;
      event.requestContext.http.sourceIp = sourceIp;
      return projectsHandler(event as never, lambdaContext as never);
    };
    const guesses = [];
    for (let i = 0; i < 5; i++)
      guesses.push((await attempt(`sbk_guess${i}`, "203.0.113.9")).statusCode);
    expect(guesses).toEqual([401, 401, 401, 429, 429]);
    const limited = await attempt("sbk_guess9", "203.0.113.9");
    expect(JSON.parse(limited.body)).toMatchObject({ code: "rate_limited" });
    expect(limited.headers?.["retry-after"]).toBe("55");
    // Another address has its own count; a valid key is not a failure.
    expect((await attempt("sbk_guess9", "198.51.100.7")).statusCode).toBe(401);
    expect((await attempt(good, "203.0.113.9")).statusCode).toBe(200);
    // Keyless requests when keys are required count too.
    const keyless = await api.call("GET", "/api/v1/projects");
    expect(keyless.status).toBe(401);
  });

  it("caps an owner's concurrent shot videos", async () => {
    const owner = (await createApiKey("director")).key;
    deployed();
    const auth = as(owner);
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
    expect((await submit(boards[2]?.id as number)).status).toBe(202);
  });
});
