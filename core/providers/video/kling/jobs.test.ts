import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handler as worker } from "../../../../functions/worker.ts";
import { gate } from "../../../../test/support/fakes/gemini.ts";
import {
  type FakeKling,
  KLING_ACCESS,
  KLING_SECRET,
  startFakeKling,
} from "../../../../test/support/fakes/kling.ts";
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
import { klingVideo } from "./adapter.ts";

const bench = videoJobBench();
let kling: FakeKling;

beforeAll(async () => {
  kling = await startFakeKling();
  const dir = await mkdtemp(join(tmpdir(), "kling-job-"));
  const still = renderCard({
    width: 320,
    height: 180,
    title: "k",
    prompt: "",
    label: "",
    seed: "k",
  });
  await writeFile(join(dir, "still.png"), still);
  await stillToClip(join(dir, "still.png"), join(dir, "k.mp4"), {
    width: 320,
    height: 180,
    seconds: 1,
  });
  kling.video = await readFile(join(dir, "k.mp4"));
  // In the environment too, so an adapter the registry makes for kling-v2-1 also talks to the fake.
  Object.assign(process.env, {
    KLING_ACCESS_KEY: KLING_ACCESS,
    KLING_SECRET_KEY: KLING_SECRET,
    KLING_BASE_URL: kling.url,
  });
  resetConfig();
  useProviders({
    ...(await createProviders(config())),
    video: klingVideo(config(), "kling-v2-1"),
  });
});
afterAll(async () => {
  useProviders(undefined);
  await kling?.stop();
});

describe("Kling through the job machinery", () => {
  it("a duplicate delivered while the create is held at Kling gives one create and one ledger row", async () => {
    const jobId = await submitVideo(bench.api, await storyboardWithFrame(bench.api));
    const held = gate();
    kling.startGate = held.gate;
    const first = worker(sqsEvent(jobId));
    await held.arrived; // the first worker is inside the paid create
    const duplicate = await worker(sqsEvent(jobId));
    expect(duplicate.batchItemFailures).toEqual([]);
    expect(await getJob(jobId)).toMatchObject({ status: "running" });
    held.open();
    expect((await first).batchItemFailures).toEqual([]);
    kling.startGate = undefined;
    const job = await runToEnd(jobId);
    expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
    expect(kling.creates()).toHaveLength(1);
    expect(job.operation).toMatchObject({ provider: "kling", name: [...kling.tasks.keys()][0] });
    const rows = await jobSpend(jobId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ step: "video", settled: true });
    // The result came from Kling's CDN path, fetched without the API token.
    const download = kling.requests.find((r) => r.path.startsWith("/cdn/"));
    expect(download?.headers.authorization).toBeUndefined();
  });
});
