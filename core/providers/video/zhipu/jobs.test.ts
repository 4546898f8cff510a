import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeZhipu, startFakeZhipu, ZHIPU_KEY } from "../../../../test/support/fakes/zhipu.ts";
import { duplicateDuringHeldCreate, videoJobBench } from "../../../../test/support/video-jobs.ts";
import { config, resetConfig } from "../../../config.ts";
import { stillToClip } from "../../../media/clip.ts";
import { createProviders, useProviders } from "../../index.ts";
import { renderCard } from "../../offline/card.ts";
import { zhipuVideo } from "./adapter.ts";

const bench = videoJobBench();
let zhipu: FakeZhipu;

beforeAll(async () => {
  zhipu = await startFakeZhipu();
  const dir = await mkdtemp(join(tmpdir(), "zhipu-job-"));
  await writeFile(
    join(dir, "still.png"),
    renderCard({ width: 320, height: 180, title: "z", prompt: "", label: "ZHIPU", seed: "z" }),
  );
  await stillToClip(join(dir, "still.png"), join(dir, "z.mp4"), {
    width: 320,
    height: 180,
    seconds: 1,
  });
  zhipu.video = await readFile(join(dir, "z.mp4"));
  // The configured model is the adapter's, so a job planned with it runs on the installed
  // adapter (the bench restores the environment afterwards).
  Object.assign(process.env, {
    VEO_MODEL: "vidu2-image",
    ZHIPU_API_KEY: ZHIPU_KEY,
    ZHIPU_BASE_URL: zhipu.url,
  });
  resetConfig();
  const cfg = config();
  useProviders({
    ...(await createProviders(config())),
    video: zhipuVideo(cfg, "vidu2-image"),
  });
});
afterAll(async () => {
  useProviders(undefined);
  resetConfig();
  await zhipu?.stop();
});

describe("a Zhipu video through the job machinery", () => {
  it("a duplicate delivered while the create is held at the provider gives one create and one ledger row", async () => {
    await duplicateDuringHeldCreate(bench.api, zhipu);
    expect(zhipu.creates()).toHaveLength(1);
    expect(zhipu.accepted()).toBe(1);
  });
});
