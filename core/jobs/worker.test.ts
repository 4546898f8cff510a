import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SQSEvent } from "aws-lambda";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Emulators, startEmulators } from "../../functions/local/emulators.ts";
import { handler as worker } from "../../functions/worker.ts";
import { testApi } from "../../test/support/app.ts";
import {
  type FakeGemini,
  googleError,
  startFakeGemini,
  VERTEX_TOKEN,
} from "../../test/support/fakes/gemini.ts";
import { storyboards } from "../db/schema.ts";
import { stillToClip } from "../media/clip.ts";
import { useProviders } from "../providers/index.ts";
import { renderCard } from "../providers/offline/card.ts";
import { writeLocalFile } from "../storage/local.ts";
import { getJob, updateJob } from "./store.ts";
import { TERMINAL } from "./types.ts";
import { processJob } from "./worker.ts";

let gemini: FakeGemini;
let emulators: Emulators;
let api: Awaited<ReturnType<typeof testApi>>;
const saved = { ...process.env };

beforeAll(async () => {
  gemini = await startFakeGemini();
  const dir = await mkdtemp(join(tmpdir(), "veo-"));
  const still = join(dir, "still.png");
  await import("node:fs/promises").then((fs) =>
    fs.writeFile(
      still,
      renderCard({
        width: 320,
        height: 180,
        title: "veo",
        prompt: "",
        label: "FAKE VEO",
        seed: "v",
      }),
    ),
  );
  await stillToClip(still, join(dir, "veo.mp4"), { width: 320, height: 180, seconds: 1 });
  gemini.video = await readFile(join(dir, "veo.mp4"));
  Object.assign(process.env, {
    GOOGLE_API_KEY: "test-google-key",
    GEMINI_BASE_URL: gemini.url,
    VEO_MODEL: "veo-test",
    PROVIDER_RETRIES: "0",
    VIDEO_POLL_SECONDS: "1",
  });
  emulators = await startEmulators();
  useProviders(undefined);
  api = await testApi();
});
afterAll(async () => {
  process.env = saved;
  useProviders(undefined);
  await emulators?.stop();
  await gemini?.stop();
});
beforeEach(() => {
  gemini.faults.length = 0;
  gemini.veo = { pendingChecks: 1, outcome: "video" };
});

async function storyboardWithFrame() {
  const projectId = (await api.call("POST", "/api/v1/projects", { name: "veo" })).body.id;
  const frame = await writeLocalFile(
    `test/frame-${projectId}.png`,
    renderCard({ width: 64, height: 36, title: "f", prompt: "", label: "", seed: "f" }),
  );
  const [board] = await api.database.db
    .insert(storyboards)
    .values({ projectId, position: 0, frameImageUrl: frame })
    .returning();
  return board?.id as number;
}

async function submitVideo(boardId: number, headers: Record<string, string> = {}) {
  const res = await api.call(
    "POST",
    `/api/v1/storyboards/${boardId}/generate-video`,
    { shot_prompt: "slow pan" },
    headers,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.job_id as string;
}

const event = (jobId: string, n = 1): SQSEvent => ({
  Records: Array.from({ length: n }, (_, i) => ({
    messageId: `m-${jobId}-${i}`,
    receiptHandle: "r",
    body: JSON.stringify({ job_id: jobId }),
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: "0",
      SenderId: "test",
      ApproximateFirstReceiveTimestamp: "0",
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:storyboard-jobs",
    awsRegion: "us-east-1",
  })),
});

/** Runs job steps the way later deliveries would, until the job ends. */
async function runToEnd(jobId: string) {
  for (let i = 0; i < 20; i++) {
    const job = await getJob(jobId);
    if (job && TERMINAL.has(job.status)) return job;
    await processJob(jobId);
  }
  throw new Error(`job ${jobId} did not finish`);
}

describe("shot video jobs through the real @google/genai against a fake Veo", () => {
  it("starts exactly one paid generation when the message is delivered three times at once", async () => {
    const boardId = await storyboardWithFrame();
    const jobId = await submitVideo(boardId);
    const before = gemini.acceptedVideoStarts();
    const results = await Promise.all([
      worker(event(jobId)),
      worker(event(jobId)),
      worker(event(jobId)),
    ]);
    expect(results.flatMap((r) => r.batchItemFailures)).toEqual([]);
    const job = await runToEnd(jobId);
    expect(job).toMatchObject({ status: "succeeded", progress: 100 });
    expect(gemini.acceptedVideoStarts() - before).toBe(1);
    const [board] = await api.database.db
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
    // Late duplicates of a finished job change nothing and start nothing.
    await worker(event(jobId, 3));
    expect(gemini.acceptedVideoStarts() - before).toBe(1);
    expect((await api.call("GET", `/api/v1/jobs/${jobId}`)).body.status).toBe("succeeded");
  });

  it("does not start again after a crash between starting and saving the operation", async () => {
    const jobId = await submitVideo(await storyboardWithFrame());
    // The crashed worker's footprint: running, start claimed, no operation recorded.
    await updateJob(jobId, {
      from: ["queued"],
      set: { status: "running", start_claim: "dead-worker" },
    });
    const before = gemini.acceptedVideoStarts();
    const job = await runToEnd(jobId);
    expect(job).toMatchObject({ status: "failed", error: { code: "start_interrupted" } });
    expect(gemini.acceptedVideoStarts()).toBe(before);
  });

  it("resumes the saved operation after a crash after saving it", async () => {
    const jobId = await submitVideo(await storyboardWithFrame());
    await processJob(jobId); // starts and saves the operation, then "crashes"
    const started = gemini.acceptedVideoStarts();
    const job = await runToEnd(jobId);
    expect(job.status).toBe("succeeded");
    expect(gemini.acceptedVideoStarts()).toBe(started);
  });

  it("backs off on a 429/500 burst at start and still starts exactly once", async () => {
    const jobId = await submitVideo(await storyboardWithFrame());
    const start = (r: { path: string }) => r.path.endsWith(":predictLongRunning");
    gemini.faults.push(
      { ...googleError(429, "RESOURCE_EXHAUSTED", "Quota exceeded"), match: start },
      { ...googleError(503, "UNAVAILABLE", "overloaded"), match: start },
    );
    const before = gemini.acceptedVideoStarts();
    const job = await runToEnd(jobId);
    expect(job.status).toBe("succeeded");
    expect(gemini.acceptedVideoStarts() - before).toBe(1);
  });

  it("fails with rai_filtered and the provider's reasons", async () => {
    gemini.veo = { pendingChecks: 0, outcome: "filtered" };
    const job = await runToEnd(await submitVideo(await storyboardWithFrame()));
    expect(job).toMatchObject({
      status: "failed",
      error: { code: "rai_filtered", reasons: ["Celebrity likeness"] },
    });
  });

  it("fails with operation_failed when the operation reports an error", async () => {
    gemini.veo = { pendingChecks: 0, outcome: "error" };
    const job = await runToEnd(await submitVideo(await storyboardWithFrame()));
    expect(job).toMatchObject({ status: "failed", error: { code: "operation_failed" } });
    expect(job.error?.message).toContain("invalid image");
  });

  it("fails a refused start (model not found) with a typed error naming the setting", async () => {
    const start = (r: { path: string }) => r.path.endsWith(":predictLongRunning");
    gemini.faults.push({
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
    const projectId = (await api.call("POST", "/api/v1/projects", { name: "empty" })).body.id;
    const [board] = await api.database.db
      .insert(storyboards)
      .values({ projectId, position: 0 })
      .returning();
    const noFrame = await api.call("POST", `/api/v1/storyboards/${board?.id}/generate-video`, {
      shot_prompt: "x",
    });
    expect(noFrame).toMatchObject({ status: 400, body: { code: "frame_missing" } });
    const noVideos = await api.call("POST", `/api/v1/projects/${projectId}/compose-video`);
    expect(noVideos).toMatchObject({
      status: 400,
      body: { detail: `项目 ${projectId} 的分镜都没有生成视频` },
    });
    expect(
      (await api.call("GET", "/api/v1/jobs/00000000-0000-4000-8000-000000000000")).status,
    ).toBe(404);
    expect((await api.call("GET", "/api/v1/jobs/not-a-uuid")).status).toBe(422);
    expect((await api.call("GET", "/api/v1/projects/999999/jobs")).status).toBe(404);
    const listed = await api.call("GET", `/api/v1/projects/${projectId}/jobs`);
    expect(listed).toMatchObject({ status: 200, body: [] });
  });
});

describe.each(["vertex", "interactions"] as const)("the %s video route", (route) => {
  beforeAll(async () => {
    Object.assign(process.env, {
      VIDEO_ROUTE: route,
      VERTEX_PROJECT: "film-project",
      VERTEX_LOCATION: "us-central1",
      VERTEX_BASE_URL: gemini.url,
      VERTEX_VEO_MODEL: "veo-3.1-generate-001",
    });
    const { config, resetConfig } = await import("../config.ts");
    resetConfig();
    useProviders(undefined);
    if (route === "vertex") {
      // A real OAuth2 client holding an access token, so no token exchange leaves the machine.
      const { OAuth2Client } = await import("google-auth-library");
      const auth = new OAuth2Client();
      auth.setCredentials({ access_token: VERTEX_TOKEN, expiry_date: Date.now() + 3_600_000 });
      const { createProviders } = await import("../providers/index.ts");
      const { vertexVeo } = await import("../providers/video/vertex-veo.ts");
      useProviders({ ...(await createProviders(config())), video: vertexVeo(config(), auth) });
    }
  });
  afterAll(async () => {
    for (const key of [
      "VIDEO_ROUTE",
      "VERTEX_PROJECT",
      "VERTEX_BASE_URL",
      "GOOGLE_CREDENTIALS_JSON",
    ])
      delete process.env[key];
    (await import("../config.ts")).resetConfig();
    useProviders(undefined);
  });

  it("starts once under triple delivery and stores the finished clip", async () => {
    const jobId = await submitVideo(await storyboardWithFrame());
    const before = gemini.acceptedVideoStarts();
    await Promise.all([worker(event(jobId)), worker(event(jobId)), worker(event(jobId))]);
    const job = await runToEnd(jobId);
    expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
    expect(gemini.acceptedVideoStarts() - before).toBe(1);
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
    expect(saved.equals(gemini.video)).toBe(true);
  });

  it("reports filtered output as rai_filtered", async () => {
    gemini.veo = { pendingChecks: 0, outcome: "filtered" };
    const job = await runToEnd(await submitVideo(await storyboardWithFrame()));
    expect(job).toMatchObject({ status: "failed", error: { code: "rai_filtered" } });
  });

  it("reports a failed operation as operation_failed", async () => {
    gemini.veo = { pendingChecks: 0, outcome: "error" };
    const job = await runToEnd(await submitVideo(await storyboardWithFrame()));
    expect(job).toMatchObject({ status: "failed", error: { code: "operation_failed" } });
  });
});
