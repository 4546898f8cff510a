import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handler as worker } from "../../../../functions/worker.ts";
import {
  DASHSCOPE_KEY,
  type FakeDashScope,
  startFakeDashScope,
} from "../../../../test/support/fakes/dashscope.ts";
import { gate } from "../../../../test/support/fakes/gemini.ts";
import {
  runToEnd,
  sqsEvent,
  storyboardWithFrame,
  submitVideo,
  videoJobBench,
} from "../../../../test/support/video-jobs.ts";
import { config, resetConfig } from "../../../config.ts";
import { getJob } from "../../../jobs/store.ts";
import { stillToClip } from "../../../media/clip.ts";
import { jobSpend } from "../../../spend.ts";
import { createProviders, useProviders } from "../../index.ts";
import { renderCard } from "../../offline/card.ts";
import { dashscopeVideo } from "./adapter.ts";

const bench = videoJobBench();
let dashscope: FakeDashScope;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), "wan-job-"));
  const card = { width: 320, height: 180, title: "wan", prompt: "", label: "WAN", seed: "j" };
  await writeFile(join(dir, "still.png"), renderCard(card));
  await stillToClip(join(dir, "still.png"), join(dir, "wan.mp4"), {
    width: 320,
    height: 180,
    seconds: 1,
  });
  dashscope = await startFakeDashScope(await readFile(join(dir, "wan.mp4")));
  // The configured model is the adapter's, so a job planned with it runs on the installed
  // adapter (the bench restores the environment afterwards).
  Object.assign(process.env, {
    VEO_MODEL: "wan2.2-i2v-flash",
    DASHSCOPE_API_KEY: DASHSCOPE_KEY,
    DASHSCOPE_BASE_URL: dashscope.url,
  });
  resetConfig();
  useProviders({
    ...(await createProviders(config())),
    video: dashscopeVideo(config(), "wan2.2-i2v-flash"),
  });
});
afterAll(async () => {
  useProviders(undefined);
  resetConfig();
  await dashscope?.stop();
});

describe("a Wan shot through the job machinery", () => {
  it("a duplicate delivered while the create is held at DashScope makes one create and one ledger row", async () => {
    const jobId = await submitVideo(bench.api, await storyboardWithFrame(bench.api));
    const held = gate();
    dashscope.startGate = held.gate;
    const first = worker(sqsEvent(jobId));
    await held.arrived; // the first worker is inside the paid create
    const duplicate = await worker(sqsEvent(jobId));
    expect(duplicate.batchItemFailures).toEqual([]);
    expect(await getJob(jobId)).toMatchObject({ status: "running" });
    held.open();
    expect((await first).batchItemFailures).toEqual([]);
    dashscope.startGate = undefined;
    const job = await runToEnd(jobId);
    expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
    expect(dashscope.creates()).toHaveLength(1);
    expect(dashscope.creates()[0]?.json.model).toBe("wan2.2-i2v-flash");
    expect(dashscope.downloads()).toHaveLength(1);
    expect(bench.gemini.videoStartRequests()).toHaveLength(0);
    const rows = await jobSpend(jobId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ step: "video", settled: true });
  });
});
