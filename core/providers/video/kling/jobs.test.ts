import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FakeKling,
  KLING_ACCESS,
  KLING_SECRET,
  startFakeKling,
} from "../../../../test/support/fakes/kling.ts";
import { duplicateDuringHeldCreate, videoJobBench } from "../../../../test/support/video-jobs.ts";
import { config, resetConfig } from "../../../config.ts";
import { stillToClip } from "../../../media/clip.ts";
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
    const job = await duplicateDuringHeldCreate(bench.api, kling);
    expect(kling.creates()).toHaveLength(1);
    expect(job.operation).toMatchObject({ provider: "kling", name: [...kling.tasks.keys()][0] });
    // The result came from Kling's CDN path, fetched without the API token.
    const download = kling.requests.find((r) => r.path.startsWith("/cdn/"));
    expect(download?.headers.authorization).toBeUndefined();
  });
});
