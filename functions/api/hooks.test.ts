import { createHmac } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { deleteMessage, receiveMessages } from "../../core/aws/sqs.ts";
import { resetConfig } from "../../core/config.ts";
import { runShotVideo } from "../../core/jobs/shot-video.ts";
import { getJob } from "../../core/jobs/store.ts";
import { processJob } from "../../core/jobs/worker.ts";
import { useProviders } from "../../core/providers/index.ts";
import {
  runToEnd,
  storyboardWithFrame,
  submitVideo,
  videoJobBench,
} from "../../test/support/video-jobs.ts";

const bench = videoJobBench();
const SECRET = "test-webhook-secret-0123456789abcdef";
const BASE = "https://studio.example.test";
const tokenOf = (jobId: string) =>
  createHmac("sha256", SECRET).update(`video-hook:${jobId}`).digest("base64url");

function setEnv(env: Record<string, string | undefined>) {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  resetConfig();
  useProviders(undefined);
}

/** Every message visible on the job queue now (taken off it): a delayed one is not visible. */
async function visibleMessages(): Promise<unknown[]> {
  const bodies: unknown[] = [];
  for (;;) {
    const batch = await receiveMessages({
      QueueUrl: bench.emulators.queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      VisibilityTimeout: 120,
    });
    if (!batch.length) return bodies;
    for (const m of batch) {
      bodies.push(JSON.parse(m.Body as string));
      await deleteMessage({
        QueueUrl: bench.emulators.queueUrl,
        ReceiptHandle: m.ReceiptHandle as string,
      });
    }
  }
}

/** A shot video whose paid start has run: the job waits for its first check. */
async function startedVideo(): Promise<string> {
  const jobId = await submitVideo(bench.api, await storyboardWithFrame(bench.api));
  await visibleMessages(); // the submit's own message: this test runs the steps itself
  await processJob(jobId);
  return jobId;
}

const hook = (jobId: string, query: string, body: unknown = { event: "video.generated" }) =>
  bench.api.call("POST", `/api/v1/hooks/video/${encodeURIComponent(jobId)}${query}`, body);

describe("video completion callbacks", () => {
  beforeEach(async () => {
    // Adaptive polling (no fixed interval): the scheduled check is far off, so a message that is
    // visible at once can only be the callback's.
    setEnv({
      PUBLIC_BASE_URL: BASE,
      WEBHOOK_SECRET: SECRET,
      VIDEO_POLL_SECONDS: undefined,
      AUTH_REQUIRED: undefined,
      RATE_LIMIT_AUTH_FAILURES: undefined,
      MAX_ACTIVE_VIDEO_JOBS: "100",
    });
    bench.gemini.veo = { pendingChecks: 0, outcome: "video" };
    await visibleMessages();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends the job's callback URL with the Veo start; a call with its token checks the job at once", async () => {
    const jobId = await startedVideo();
    const [start] = bench.gemini.videoStartRequests();
    const uri = `${BASE}/api/v1/hooks/video/${jobId}?token=${tokenOf(jobId)}`;
    expect(start?.json.webhookConfig).toEqual({ uris: [uri], userMetadata: { job_id: jobId } });
    expect(start?.json.instances).toBeDefined();
    // The first check is scheduled near the model's typical render time, not now.
    expect(await visibleMessages()).toEqual([]);
    expect((await getJob(jobId))?.step_seq).toBe(1);

    // Keys required everywhere else: the provider has none, its URL's token is enough.
    setEnv({ AUTH_REQUIRED: "true" });
    expect((await bench.api.call("GET", `/api/v1/jobs/${jobId}`)).status).toBe(401);
    const url = new URL(uri);
    const res = await bench.api.call("POST", `${url.pathname}${url.search}`, {
      event: "video.generated",
      status: "forged: the body is never read",
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toEqual({ job_id: jobId, checking: true });
    expect(await visibleMessages()).toEqual([{ job_id: jobId, seq: 1 }]);

    await processJob(jobId, 1);
    const job = await getJob(jobId);
    expect(job).toMatchObject({ status: "succeeded", progress: 100 });
    expect(bench.gemini.acceptedVideoStarts()).toBeGreaterThan(0);
  });

  it("refuses a missing, wrong or another job's token with 401 and queues nothing", async () => {
    const jobId = await startedVideo();
    const other = await startedVideo();
    await visibleMessages();
    for (const query of ["", "?token=", "?token=abc", `?token=${tokenOf(other)}`]) {
      const res = await hook(jobId, query);
      expect(res.status, query).toBe(401);
      expect(res.body).toMatchObject({ code: "invalid_webhook_token" });
    }
    expect(await hook("no-such-job", `?token=${tokenOf(jobId)}`)).toMatchObject({ status: 401 });
    expect(await visibleMessages()).toEqual([]);
    expect((await getJob(jobId))?.step_seq).toBe(1);
  });

  it("counts bad tokens as failed authentications: past the limit they answer 429", async () => {
    setEnv({ RATE_LIMIT_AUTH_FAILURES: "2" });
    const jobId = await startedVideo();
    // A one-minute window of its own, so failures counted by other tests do not count here.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.UTC(2031, 0, 1, 12, 0, 5));
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await hook(jobId, "?token=bad")).status);
    expect(statuses).toEqual([401, 401, 429]);
    expect((await hook(jobId, `?token=${tokenOf(jobId)}`)).status).toBe(202);
  });

  it("answers a call for a finished job without queueing anything", async () => {
    setEnv({ VIDEO_POLL_SECONDS: "1" });
    const jobId = await startedVideo();
    await runToEnd(jobId);
    await visibleMessages();
    const res = await hook(jobId, `?token=${tokenOf(jobId)}`);
    expect(res).toMatchObject({ status: 202, body: { job_id: jobId, checking: false } });
    expect(await visibleMessages()).toEqual([]);
  });

  it("asks for no callback without a secret or a public https origin, and then accepts none", async () => {
    for (const env of [
      { WEBHOOK_SECRET: undefined },
      { PUBLIC_BASE_URL: "http://127.0.0.1:3000" },
      { PUBLIC_BASE_URL: undefined },
    ]) {
      setEnv({ PUBLIC_BASE_URL: BASE, WEBHOOK_SECRET: SECRET, ...env });
      bench.gemini.requests.length = 0;
      const jobId = await startedVideo();
      expect(bench.gemini.videoStartRequests()[0]?.json.webhookConfig, JSON.stringify(env)).toBe(
        undefined,
      );
      if (env.WEBHOOK_SECRET === undefined && "WEBHOOK_SECRET" in env)
        expect((await hook(jobId, `?token=${tokenOf(jobId)}`)).status).toBe(401);
    }
  });

  it("checks a rendering shot video first near the model's typical time, then a few seconds apart", async () => {
    bench.gemini.veo = { pendingChecks: 100, outcome: "video" };
    const jobId = await startedVideo();
    const job = await getJob(jobId);
    if (!job?.operation) throw new Error("no operation");
    const step = { report: async () => {}, holdLease: async () => {} };
    const check = async (startedSecondsAgo: number) => {
      const started = new Date(Date.now() - startedSecondsAgo * 1000).toISOString();
      const operation = {
        ...(job.operation as NonNullable<typeof job.operation>),
        started_at: started,
      };
      return runShotVideo({ ...job, operation }, step.report, step);
    };
    // VEO_MODEL "veo-test" is not in the table: a typical render of 60 s.
    expect(await check(0)).toMatchObject({ kind: "later", delaySeconds: 51, progress: 10 });
    expect(await check(55)).toMatchObject({ kind: "later", delaySeconds: 3 });
    expect(await check(200)).toMatchObject({ kind: "later", delaySeconds: 15, progress: 90 });
    setEnv({ VIDEO_POLL_SECONDS: "7" });
    expect(await check(0)).toMatchObject({ kind: "later", delaySeconds: 7 });
  });
});
