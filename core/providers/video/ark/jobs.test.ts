import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARK_TEST_KEY, type FakeArk, startFakeArk } from "../../../../test/support/fakes/ark.ts";
import { duplicateDuringHeldCreate, videoJobBench } from "../../../../test/support/video-jobs.ts";
import { config, parseConfig } from "../../../config.ts";
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
    await duplicateDuringHeldCreate(bench.api, ark);
    expect(ark.creates()).toHaveLength(1);
    expect(ark.accepted()).toBe(1);
    expect(ark.creates()[0]?.json.content[1].role).toBe("first_frame");
  });
});
