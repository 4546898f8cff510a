import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handler as worker } from "../../../../functions/worker.ts";
import { ARK_TEST_KEY, type FakeArk, startFakeArk } from "../../../../test/support/fakes/ark.ts";
import { gate } from "../../../../test/support/fakes/gemini.ts";
import {
  runToEnd,
  sqsEvent,
  storyboardWithFrame,
  submitVideo,
  videoJobBench,
} from "../../../../test/support/video-jobs.ts";
import { config, parseConfig } from "../../../config.ts";
import { getJob } from "../../../jobs/store.ts";
import { jobSpend } from "../../../spend.ts";
import { createProviders, useProviders } from "../../index.ts";
import { arkVideo } from "./adapter.ts";

const bench = videoJobBench();
let ark: FakeArk;

beforeAll(async () => {
  ark = await startFakeArk();
  const cfg = parseConfig({ ARK_API_KEY: ARK_TEST_KEY, ARK_BASE_URL: ark.url });
  useProviders({
    ...(await createProviders(config())),
    video: arkVideo(cfg, "doubao-seedance-1-0-pro-250528"),
  });
});
afterAll(async () => {
  useProviders(undefined);
  await ark?.stop();
});

describe("a shot video through Ark", () => {
  it("a duplicate delivered while the create is held at Ark gives one create and one ledger row", async () => {
    const jobId = await submitVideo(bench.api, await storyboardWithFrame(bench.api));
    const held = gate();
    ark.startGate = held.gate;
    const first = worker(sqsEvent(jobId));
    await held.arrived; // the first worker is inside the paid create
    const duplicate = await worker(sqsEvent(jobId));
    expect(duplicate.batchItemFailures).toEqual([]);
    expect(await getJob(jobId)).toMatchObject({ status: "running" });
    held.open();
    expect((await first).batchItemFailures).toEqual([]);
    ark.startGate = undefined;
    const job = await runToEnd(jobId);
    expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
    expect(ark.creates()).toHaveLength(1);
    expect(ark.accepted()).toBe(1);
    expect(ark.creates()[0]?.json.content[1].role).toBe("first_frame");
    const rows = await jobSpend(jobId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ step: "video", settled: true });
  });
});
