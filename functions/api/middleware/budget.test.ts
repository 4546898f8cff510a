import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetConfig } from "../../../core/config.ts";
import { spend, storyboards } from "../../../core/db/schema.ts";
import { useProviders } from "../../../core/providers/index.ts";
import { testApi } from "../../../test/support/app.ts";
import {
  type FakeOpenRouter,
  startFakeOpenRouter,
} from "../../../test/support/fakes/openrouter.ts";
import { apiRoutes } from "../manifest.ts";

let api: Awaited<ReturnType<typeof testApi>>;
let openrouter: FakeOpenRouter;
const settings = ["OPENROUTER_API_KEY", "OPENROUTER_BASE_URL", "OWNER_BUDGET_USD"] as const;

beforeAll(async () => {
  openrouter = await startFakeOpenRouter();
  Object.assign(process.env, {
    OPENROUTER_API_KEY: "test-openrouter-key",
    OPENROUTER_BASE_URL: `${openrouter.url}/api/v1`,
    OWNER_BUDGET_USD: "5",
  });
  useProviders(undefined);
  api = await testApi();
});
afterAll(async () => {
  for (const name of settings) delete process.env[name];
  resetConfig();
  useProviders(undefined);
  await openrouter?.stop();
});

describe("budget", () => {
  it("refuses paid work over budget even with ?estimate=true on a route without estimates, before any provider call", async () => {
    const id = (await api.call("POST", "/api/v1/projects", { name: "over" })).body.id;
    await api.database.db.insert(spend).values({
      owner: "local",
      projectId: id,
      kind: "llm",
      provider: "openrouter",
      model: "m",
      units: {},
      costUsd: 6,
    });
    const script = await api.call("POST", `/api/v1/projects/${id}/generate-script?estimate=true`, {
      script_or_idea: "x",
      prompt_template: "${script_or_idea}",
    });
    expect(script).toMatchObject({ status: 402, body: { code: "budget_exceeded" } });
    expect(openrouter.completions()).toHaveLength(0);

    // Routes that implement estimates still answer them: an estimate costs nothing.
    const [board] = await api.database.db
      .insert(storyboards)
      .values({ projectId: id, position: 0, frameImageUrl: "https://cdn.example.com/f.png" })
      .returning();
    const video = await api.call(
      "POST",
      `/api/v1/storyboards/${board?.id}/generate-video?estimate=true`,
      { shot_prompt: "x" },
    );
    expect(video.status).toBe(200);
    expect(
      (await api.call("POST", `/api/v1/projects/${id}/compose-video?estimate=true`)).status,
    ).toBe(200);
  });

  it("lets exactly the routes that declare ?estimate skip it", () => {
    const declares = (r: (typeof apiRoutes)[number]) =>
      Boolean(
        (r.route.request?.query as { shape?: Record<string, unknown> } | undefined)?.shape
          ?.estimate,
      );
    const optedIn = apiRoutes.filter((r) => r.estimates).map((r) => r.route.path);
    expect(optedIn.sort()).toEqual(
      apiRoutes
        .filter(declares)
        .map((r) => r.route.path)
        .sort(),
    );
    expect(optedIn).toHaveLength(2);
  });
});
