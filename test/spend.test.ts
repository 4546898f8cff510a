import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spend, storyboards } from "../core/db/schema.ts";
import { costOf } from "../core/spend.ts";
import { testApi } from "./support/app.ts";

let api: Awaited<ReturnType<typeof testApi>>;
beforeAll(async () => {
  api = await testApi();
});
afterAll(() => {
  delete process.env.OWNER_BUDGET_USD;
});

describe("spend ledger", () => {
  it("prices each kind of call from the price table, and offline calls at zero", () => {
    expect(costOf("video", "gemini-veo", { seconds: 8 })).toBeCloseTo(3.2);
    expect(costOf("image", "gemini", { images: 2 })).toBeCloseTo(0.078);
    expect(
      costOf("llm", "openrouter", { input_tokens: 1_000_000, output_tokens: 1_000_000 }),
    ).toBeCloseTo(2.8);
    expect(costOf("video", "offline", { seconds: 8 })).toBe(0);
  });

  it("records every paid call of a full offline run, and totals them per project", async () => {
    const id = (await api.call("POST", "/api/v1/projects", { name: "ledger" })).body.id;
    const script = await api.call("POST", `/api/v1/projects/${id}/generate-script`, {
      script_or_idea: "A. B. C.",
      prompt_template: "${script_or_idea}",
    });
    for (const asset of script.body.assets)
      await api.call("POST", `/api/v1/assets/${asset.id}/generate-image`);
    const boards = await api.call("POST", `/api/v1/projects/${id}/generate-storyboards`, {
      script: "One.\nTwo.\nThree.",
      prompt_template: "${materials_description}${script}",
    });
    for (const b of boards.body) {
      await api.call("POST", `/api/v1/storyboards/${b.id}/generate-frame`, {
        frame_prompt: b.frame_prompt,
        frame_asset_ids: b.frame_asset_ids,
      });
    }
    const costs = await api.call("GET", `/api/v1/projects/${id}/costs`);
    expect(costs.status).toBe(200);
    expect(costs.body.by_kind).toEqual({
      llm: { calls: 2, usd: 0 },
      image: { calls: script.body.assets.length + boards.body.length, usd: 0 },
    });
    expect(costs.body.total_usd).toBe(0);
    expect(costs.body.prices.video_per_second).toBe(0.4);
    expect((await api.call("GET", "/api/v1/projects/999999/costs")).status).toBe(404);
  });

  it("estimates a shot video without starting anything, and refuses paid work over budget with 402", async () => {
    const id = (await api.call("POST", "/api/v1/projects", { name: "budget" })).body.id;
    const [board] = await api.database.db
      .insert(storyboards)
      .values({ projectId: id, position: 0, frameImageUrl: "https://cdn.example.com/f.png" })
      .returning();
    const estimate = await api.call(
      "POST",
      `/api/v1/storyboards/${board?.id}/generate-video?estimate=true`,
      { shot_prompt: "x" },
    );
    expect(estimate).toMatchObject({
      status: 200,
      body: { estimate_usd: 0, basis: { seconds: 8, offline: true } },
    });
    const compose = await api.call("POST", `/api/v1/projects/${id}/compose-video?estimate=true`);
    expect(compose).toMatchObject({ status: 200, body: { estimate_usd: 0 } });

    process.env.OWNER_BUDGET_USD = "5";
    const { resetConfig } = await import("../core/config.ts");
    resetConfig();
    await api.database.db.insert(spend).values({
      owner: "local",
      projectId: id,
      kind: "video",
      provider: "gemini-veo",
      model: "veo",
      units: { seconds: 16 },
      costUsd: 6.4,
    });
    const refused = await api.call("POST", `/api/v1/storyboards/${board?.id}/generate-video`, {
      shot_prompt: "x",
    });
    expect(refused).toMatchObject({ status: 402, body: { code: "budget_exceeded" } });
    expect(refused.body.detail).toContain("$5");
    expect(
      (
        await api.call("POST", `/api/v1/projects/${id}/generate-script`, {
          script_or_idea: "x",
          prompt_template: "${script_or_idea}",
        })
      ).status,
    ).toBe(402);
    // Reading stays possible, and so does asking for an estimate.
    expect((await api.call("GET", `/api/v1/projects/${id}/costs`)).body.total_usd).toBeCloseTo(6.4);
    expect(
      (
        await api.call("POST", `/api/v1/storyboards/${board?.id}/generate-video?estimate=true`, {
          shot_prompt: "x",
        })
      ).status,
    ).toBe(200);
  });
});
