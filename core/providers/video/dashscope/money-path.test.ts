import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DASHSCOPE_KEY,
  type FakeDashScope,
  startFakeDashScope,
} from "../../../../test/support/fakes/dashscope.ts";
import { duplicateDuringHeldCreate, videoJobBench } from "../../../../test/support/video-jobs.ts";
import { config, resetConfig } from "../../../config.ts";
import { stillToClip } from "../../../media/clip.ts";
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
    await duplicateDuringHeldCreate(bench.api, dashscope);
    expect(dashscope.creates()).toHaveLength(1);
    expect(dashscope.creates()[0]?.json.model).toBe("wan2.2-i2v-flash");
    expect(dashscope.downloads()).toHaveLength(1);
    expect(bench.gemini.videoStartRequests()).toHaveLength(0);
  });
});
