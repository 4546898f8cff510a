import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeEach, expect } from "vitest";
import { config, resetConfig } from "../../core/config.ts";
import { storyboards } from "../../core/db/schema.ts";
import { getJob } from "../../core/jobs/store.ts";
import { TERMINAL } from "../../core/jobs/types.ts";
import { processJob } from "../../core/jobs/worker.ts";
import { stillToClip } from "../../core/media/clip.ts";
import { createProviders, useProviders } from "../../core/providers/index.ts";
import { renderCard } from "../../core/providers/offline/card.ts";
import { jobSpend } from "../../core/spend.ts";
import { writeLocalFile } from "../../core/storage/local.ts";
import { handler as worker } from "../../functions/worker.ts";
import type { testApi } from "./app.ts";
import { type FakeGemini, type Gate, gate, startFakeGemini, VERTEX_TOKEN } from "./fakes/gemini.ts";
import { type JobBench, jobBench } from "./job-bench.ts";
import { sqsEventOf } from "./sqs.ts";

export type VideoRoute = "gemini" | "vertex" | "interactions";

/**
 * The shot-video test bench: a fake Gemini/Vertex (real SDKs talk to it), the local DynamoDB and
 * SQS emulators, and the API over an in-memory database. Registers its own hooks.
 */
export function videoJobBench() {
  // The fake starts first: its URL is one of the settings.
  const bench = jobBench(async () => {
    bench.gemini = await startFakeGemini();
    bench.gemini.video = await fakeVeoClip();
    return {
      GOOGLE_API_KEY: "test-google-key",
      GEMINI_BASE_URL: bench.gemini.url,
      VEO_MODEL: "veo-test",
      PROVIDER_RETRIES: "0",
      VIDEO_POLL_SECONDS: "1",
    };
  }) as JobBench & { gemini: FakeGemini };
  afterAll(async () => {
    await bench.gemini?.stop();
  });
  beforeEach(() => {
    bench.gemini.faults.length = 0;
    bench.gemini.requests.length = 0;
    bench.gemini.veo = { pendingChecks: 1, outcome: "video" };
    bench.gemini.startGate = undefined;
    bench.gemini.downloadGate = undefined;
  });
  return bench;
}

/** The clip the fake Veo hands out: one second of a labelled card. */
async function fakeVeoClip(): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), "veo-"));
  const still = join(dir, "still.png");
  await writeFile(
    still,
    renderCard({ width: 320, height: 180, title: "veo", prompt: "", label: "FAKE VEO", seed: "v" }),
  );
  await stillToClip(still, join(dir, "veo.mp4"), { width: 320, height: 180, seconds: 1 });
  return readFile(join(dir, "veo.mp4"));
}

/** Switches the bench to one video route (env, config and providers). */
export async function useVideoRoute(route: VideoRoute, fakeUrl: string): Promise<void> {
  Object.assign(process.env, {
    VIDEO_ROUTE: route,
    VERTEX_PROJECT: route === "vertex" ? "film-project" : "",
    VERTEX_LOCATION: "us-central1",
    VERTEX_BASE_URL: fakeUrl,
    VERTEX_VEO_MODEL: "veo-3.1-generate-001",
  });
  resetConfig();
  useProviders(undefined);
  if (route === "vertex") {
    // A real OAuth2 client holding an access token, so no token exchange leaves the machine.
    const { OAuth2Client } = await import("google-auth-library");
    const auth = new OAuth2Client();
    auth.setCredentials({ access_token: VERTEX_TOKEN, expiry_date: Date.now() + 3_600_000 });
    const { vertexVeo } = await import("../../core/providers/video/vertex-veo.ts");
    useProviders({ ...(await createProviders(config())), video: vertexVeo(config(), auth) });
  }
}

type Api = Awaited<ReturnType<typeof testApi>>;

/** A project with one storyboard that has a first frame; returns the storyboard id. */
export async function storyboardWithFrame(api: Api): Promise<number> {
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

export async function submitVideo(
  api: Api,
  boardId: number,
  headers: Record<string, string> = {},
  prompt = "slow pan",
): Promise<string> {
  const res = await api.call(
    "POST",
    `/api/v1/storyboards/${boardId}/generate-video`,
    { shot_prompt: prompt },
    headers,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.job_id as string;
}

/** An SQS event carrying `n` copies of a job's message, as Lambda's event source builds it. */
export const sqsEvent = (jobId: string, n = 1, seq?: number): SQSEvent =>
  sqsEventOf(
    Array.from({ length: n }, () => ({ job_id: jobId, ...(seq !== undefined ? { seq } : {}) })),
    "storyboard-jobs",
    `m-${jobId}`,
  );

/** Runs job steps the way later deliveries would, until the job ends. */
export async function runToEnd(jobId: string) {
  for (let i = 0; i < 30; i++) {
    const job = await getJob(jobId);
    if (job && TERMINAL.has(job.status)) return job;
    await processJob(jobId);
  }
  throw new Error(`job ${jobId} did not finish`);
}

/** A distinct still in our own storage (a card seeded by its name), with its bytes. */
export async function storedStill(name: string): Promise<{ url: string; bytes: Uint8Array }> {
  const bytes = renderCard({
    width: 64,
    height: 36,
    title: name,
    prompt: "",
    label: "",
    seed: name,
  });
  const url = await writeLocalFile(`test/stills/${name}-${Date.now()}.png`, bytes);
  return { url, bytes };
}

/** A project with the given settings (through the API, so they are validated as a client's). */
export async function projectWithSettings(api: Api, settings: Record<string, unknown> = {}) {
  const res = await api.call("POST", "/api/v1/projects", { name: "settings", settings });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as number;
}

/** Switches to the gemini route with one Veo model id (the capability table reads it). */
export async function useVeoModel(model: string, fakeUrl: string): Promise<void> {
  process.env.VEO_MODEL = model;
  await useVideoRoute("gemini", fakeUrl);
}

/**
 * The money-path check every video vendor passes: a shot video whose paid create is held at the
 * vendor's fake while a duplicate delivery runs. The duplicate leaves the job alone; the job then
 * succeeds with one settled ledger row (the caller counts the creates at its fake).
 */
export async function duplicateDuringHeldCreate(
  api: Api,
  fake: { startGate?: Gate },
): Promise<Awaited<ReturnType<typeof runToEnd>>> {
  const jobId = await submitVideo(api, await storyboardWithFrame(api));
  const held = gate();
  fake.startGate = held.gate;
  const first = worker(sqsEvent(jobId));
  await held.arrived; // the first worker is inside the paid create
  const duplicate = await worker(sqsEvent(jobId));
  expect(duplicate.batchItemFailures).toEqual([]);
  expect(await getJob(jobId)).toMatchObject({ status: "running" });
  held.open();
  expect((await first).batchItemFailures).toEqual([]);
  fake.startGate = undefined;
  const job = await runToEnd(jobId);
  expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
  const rows = await jobSpend(jobId);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ step: "video", settled: true });
  return job;
}
