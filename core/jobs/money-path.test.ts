import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handler as worker } from "../../functions/worker.ts";
import { gate, googleError } from "../../test/support/fakes/gemini.ts";
import {
  runToEnd,
  sqsEvent,
  storyboardWithFrame,
  submitVideo,
  useVideoRoute,
  videoJobBench,
} from "../../test/support/video-jobs.ts";
import { storyboards } from "../db/schema.ts";
import { jobSpend } from "../spend.ts";
import { getJob, updateJob } from "./store.ts";
import { processJob } from "./worker.ts";

const bench = videoJobBench();
const past = () => new Date(Date.now() - 1000).toISOString();
const isDownload = (r: { path: string }) => r.path.startsWith("/v1beta/files/");

/** Waits (without sleeping) until the job's step is free, i.e. the blocked worker gave it up. */
async function shotOf(boardId: number) {
  const [board] = await bench.api.database.db
    .select()
    .from(storyboards)
    .where(eq(storyboards.id, boardId));
  return board;
}

describe.each(["gemini", "vertex", "interactions"] as const)(
  "the money path on the %s route",
  (route) => {
    beforeAll(() => useVideoRoute(route, bench.gemini.url));
    afterAll(() => useVideoRoute("gemini", bench.gemini.url));

    it("a duplicate delivered while the first worker is inside the paid start leaves the job alone", async () => {
      const jobId = await submitVideo(bench.api, await storyboardWithFrame(bench.api));
      const held = gate();
      bench.gemini.startGate = held.gate;
      const before = bench.gemini.acceptedVideoStarts();
      const first = worker(sqsEvent(jobId));
      await held.arrived; // the first worker is now inside the paid start
      const duplicate = await worker(sqsEvent(jobId));
      expect(duplicate.batchItemFailures).toEqual([]);
      const during = await getJob(jobId);
      expect(during).toMatchObject({ status: "running" });
      expect(during?.error).toBeUndefined();
      expect(during?.start_claim).toBeTruthy();
      held.open();
      expect((await first).batchItemFailures).toEqual([]);
      const job = await runToEnd(jobId);
      expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
      expect(bench.gemini.acceptedVideoStarts() - before).toBe(1);
      expect(bench.gemini.videoStartRequests()).toHaveLength(1);
      const rows = await jobSpend(jobId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ step: "video", settled: true });
    });

    it("a worker that outlived its step lease inside the start is waited for, not failed", async () => {
      const jobId = await submitVideo(bench.api, await storyboardWithFrame(bench.api));
      const held = gate();
      bench.gemini.startGate = held.gate;
      const first = processJob(jobId);
      await held.arrived;
      // The first worker is slow: its step lease has run out, but its start claim's lease has not.
      await updateJob(jobId, { from: ["running"], set: { lease_until: past() } });
      await processJob(jobId); // the duplicate takes the step, sees the claim, and waits
      const during = await getJob(jobId);
      expect(during?.status).toBe("running");
      expect(during?.error).toBeUndefined();
      held.open();
      await first; // saves its operation (its claim), then finds it lost the step and stops
      const saved = await getJob(jobId);
      expect(saved?.operation?.name).toBeTruthy();
      const job = await runToEnd(jobId);
      expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
      expect(bench.gemini.videoStartRequests()).toHaveLength(1);
      expect(await jobSpend(jobId)).toHaveLength(1);
    });

    it("a crash after the claim: waits within the lease, then fails start_interrupted and still counts", async () => {
      const jobId = await submitVideo(bench.api, await storyboardWithFrame(bench.api));
      const crashed = (leaseEnds: string) =>
        updateJob(jobId, {
          from: ["queued", "running"],
          set: { status: "running", start_claim: "dead-worker", start_lease_until: leaseEnds },
        });
      await crashed(new Date(Date.now() + 60_000).toISOString());
      await processJob(jobId);
      expect(await getJob(jobId)).toMatchObject({ status: "running" });
      await crashed(past());
      const job = await runToEnd(jobId);
      expect(job).toMatchObject({ status: "failed", error: { code: "start_interrupted" } });
      expect(bench.gemini.videoStartRequests()).toHaveLength(0);
      const rows = await jobSpend(jobId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ settled: false });
    });

    it("sends a start once: a 500 or a dropped connection after sending is start_uncertain", async () => {
      for (const fault of [{ ...googleError(500, "INTERNAL", "boom") }, { drop: true }]) {
        bench.gemini.requests.length = 0;
        bench.gemini.faults.push({ ...fault, match: (r) => r.method === "POST", times: 10 });
        const jobId = await submitVideo(bench.api, await storyboardWithFrame(bench.api));
        const job = await runToEnd(jobId);
        bench.gemini.faults.length = 0;
        expect(job).toMatchObject({ status: "failed", error: { code: "start_uncertain" } });
        expect(bench.gemini.videoStartRequests()).toHaveLength(1);
        expect(await jobSpend(jobId)).toHaveLength(1);
      }
    });

    it("a 429 is refused outright: the claim is given back and the start succeeds later", async () => {
      const jobId = await submitVideo(bench.api, await storyboardWithFrame(bench.api));
      bench.gemini.faults.push({
        ...googleError(429, "RESOURCE_EXHAUSTED", "Quota exceeded"),
        match: (r) => r.method === "POST",
      });
      await processJob(jobId);
      const retrying = await getJob(jobId);
      expect(retrying).toMatchObject({
        status: "running",
        step_failures: 1,
        last_error: { code: "rate_limited", attempt: 1 },
      });
      expect(retrying?.start_claim).toBeUndefined();
      const job = await runToEnd(jobId);
      expect(job.status).toBe("succeeded");
      expect(job.last_error).toBeUndefined();
      expect(bench.gemini.videoStartRequests()).toHaveLength(2);
      expect(await jobSpend(jobId)).toHaveLength(1);
    });
  },
);

describe("finishing a shot video", () => {
  it("a redelivered finish adds no second download, storyboard write or ledger row", async () => {
    const boardId = await storyboardWithFrame(bench.api);
    const jobId = await submitVideo(bench.api, boardId);
    bench.gemini.veo = { pendingChecks: 0, outcome: "video" };
    await processJob(jobId); // start
    const seq = (await getJob(jobId))?.step_seq;
    const held = gate();
    bench.gemini.downloadGate = held.gate;
    const first = processJob(jobId, seq);
    await held.arrived; // the first worker is downloading the finished clip
    await processJob(jobId, seq); // the same message again: deferred, the step is held
    held.open();
    await first;
    expect(await getJob(jobId)).toMatchObject({ status: "succeeded" });
    await processJob(jobId, seq); // the deferred copy comes back: the step is gone
    await worker(sqsEvent(jobId, 2));
    expect(bench.gemini.requests.filter(isDownload)).toHaveLength(1);
    const rows = await jobSpend(jobId);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.settled).toBe(true);
    expect((await shotOf(boardId))?.shotVideoUrl).toBeTruthy();
  });

  it("stops without side effects when the job finished while it was downloading", async () => {
    const boardId = await storyboardWithFrame(bench.api);
    const jobId = await submitVideo(bench.api, boardId);
    bench.gemini.veo = { pendingChecks: 0, outcome: "video" };
    await processJob(jobId);
    const held = gate();
    bench.gemini.downloadGate = held.gate;
    const finishing = processJob(jobId);
    await held.arrived;
    await updateJob(jobId, {
      from: ["running"],
      set: { status: "failed", error: { code: "canceled_by_test", message: "ended elsewhere" } },
    });
    held.open();
    await finishing;
    expect(await getJob(jobId)).toMatchObject({ error: { code: "canceled_by_test" } });
    expect((await shotOf(boardId))?.shotVideoUrl).toBeNull();
    const rows = await jobSpend(jobId);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.settled).toBe(false);
  });

  it("shows a failing download while it retries, then fails download_failed", async () => {
    const jobId = await submitVideo(bench.api, await storyboardWithFrame(bench.api));
    bench.gemini.veo = { pendingChecks: 0, outcome: "video" };
    await processJob(jobId);
    bench.gemini.faults.push({
      ...googleError(500, "INTERNAL", "storage hiccup"),
      match: isDownload,
      times: 100,
    });
    await processJob(jobId);
    expect(await getJob(jobId)).toMatchObject({
      status: "running",
      last_error: { code: "download_failed", attempt: 1 },
    });
    const shown = await bench.api.call("GET", `/api/v1/jobs/${jobId}`);
    expect(shown.body).toMatchObject({
      status: "running",
      error: null,
      last_error: { code: "download_failed", attempt: 1 },
    });
    expect(shown.body.last_error.message).toContain("storage hiccup");
    const job = await runToEnd(jobId);
    expect(job).toMatchObject({ status: "failed", error: { code: "download_failed" } });
    expect(bench.gemini.requests.filter(isDownload)).toHaveLength(5);
  });

  it("fetches Google's file link through GEMINI_BASE_URL, with the key", async () => {
    const job = await runToEnd(await submitVideo(bench.api, await storyboardWithFrame(bench.api)));
    expect(job.status).toBe("succeeded");
    const downloads = bench.gemini.requests.filter(isDownload);
    expect(downloads).toHaveLength(1);
    expect(downloads[0]?.headers["x-goog-api-key"]).toBe("test-google-key");
  });
});
