import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { config } from "../../core/config.ts";
import { storyboards } from "../../core/db/schema.ts";
import { ProviderError } from "../../core/providers/errors.ts";
import { createProviders, useProviders } from "../../core/providers/index.ts";
import type { TextProvider } from "../../core/providers/types.ts";
import { type TestApi, testApi } from "../../test/support/app.ts";
import { newProject, projectWithAssets } from "../../test/support/projects.ts";

const SCRIPT_T = "Idea: ${script_or_idea}";
const BOARDS_T = "${materials_description}\n${script}";

let api: TestApi;
beforeAll(async () => {
  api = await testApi();
});
afterEach(() => useProviders(undefined));

/** Offline providers with the text provider swapped, e.g. for an LLM that invents ids. */
async function withText(text: Partial<TextProvider>) {
  const base = await createProviders(config());
  useProviders({ ...base, text: { ...base.text, ...text } });
}

describe("generate-script", () => {
  it("refuses a template without ${script_or_idea} with the front end's 400", async () => {
    const res = await api.call(
      "POST",
      `/api/v1/projects/${await newProject(api)}/generate-script`,
      {
        script_or_idea: "idea",
        prompt_template: "no variable here",
      },
    );
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      code: "template_variable_missing",
      detail: "提示词模板缺少必需的变量: script_or_idea。请确保模板中包含: ${script_or_idea}",
    });
  });

  it("404s unknown and deleted projects, 422s bad bodies", async () => {
    const body = { script_or_idea: "x", prompt_template: SCRIPT_T };
    expect((await api.call("POST", "/api/v1/projects/9999/generate-script", body)).status).toBe(
      404,
    );
    const gone = await newProject(api);
    await api.call("DELETE", `/api/v1/projects/${gone}`);
    expect((await api.call("POST", `/api/v1/projects/${gone}/generate-script`, body)).status).toBe(
      404,
    );
    const id = await newProject(api);
    for (const bad of [
      {},
      { script_or_idea: "", prompt_template: SCRIPT_T },
      { script_or_idea: "x" },
    ]) {
      expect((await api.call("POST", `/api/v1/projects/${id}/generate-script`, bad)).status).toBe(
        422,
      );
    }
  });

  it("maps provider failures to 504/502/422 with the provider's reason, and writes nothing", async () => {
    const id = await newProject(api);
    const cases = [
      [new ProviderError("openrouter", "timeout", "no answer within 25000 ms"), 504],
      [new ProviderError("openrouter", "rate_limited", "429 Too Many Requests"), 502],
      [new ProviderError("openrouter", "invalid_output", "invalid JSON after one repair"), 502],
      [new ProviderError("openrouter", "blocked", "content filtered"), 422],
    ] as const;
    for (const [error, status] of cases) {
      await withText({
        writeScript: async () => {
          throw error;
        },
      });
      const res = await api.call("POST", `/api/v1/projects/${id}/generate-script`, {
        script_or_idea: "x",
        prompt_template: SCRIPT_T,
      });
      expect(res.status).toBe(status);
      expect(res.body.code).toBe(error.code);
      expect(res.body.detail).toBe(error.message);
    }
    const full = await api.call("GET", `/api/v1/projects/${id}`);
    expect(full.body.project.full_script).toBeNull();
    expect(full.body.assets).toEqual([]);
  });
});

describe("generate-storyboards", () => {
  it("names every missing template variable", async () => {
    const { id } = await projectWithAssets(api, true);
    const res = await api.call("POST", `/api/v1/projects/${id}/generate-storyboards`, {
      script: "s",
      prompt_template: "nothing",
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toBe(
      "提示词模板缺少必需的变量: materials_description, script。请确保模板中包含: ${materials_description}, ${script}",
    );
  });

  it("needs assets, each with an image", async () => {
    const body = { script: "s", prompt_template: BOARDS_T };
    const bare = await newProject(api);
    expect(
      (await api.call("POST", `/api/v1/projects/${bare}/generate-storyboards`, body)).body.code,
    ).toBe("no_assets");
    const { id } = await projectWithAssets(api, false);
    const res = await api.call("POST", `/api/v1/projects/${id}/generate-storyboards`, body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("assets_without_images");
    expect(res.body.detail).toContain("cat");
  });

  it("drops asset ids the LLM invented, keeps the project's own, and replaces old storyboards", async () => {
    const { id, assetIds } = await projectWithAssets(api, true);
    await api.database.db
      .insert(storyboards)
      .values({ projectId: id, position: 0, framePrompt: "old" });
    await withText({
      planStoryboards: async () => ({
        provider: "test",
        model: "m",
        value: [
          {
            frame_prompt: "one",
            frame_asset_ids: [assetIds[0] as number, 999_999],
            shot_prompt: "a",
          },
          { frame_prompt: "two", frame_asset_ids: [assetIds[1] as number], shot_prompt: "b" },
        ],
      }),
    });
    const res = await api.call("POST", `/api/v1/projects/${id}/generate-storyboards`, {
      script: "s",
      prompt_template: BOARDS_T,
    });
    expect(res.status).toBe(200);
    expect(res.body.map((b: { frame_asset_ids: number[] }) => b.frame_asset_ids)).toEqual([
      [assetIds[0]],
      [assetIds[1]],
    ]);
    const stored = await api.database.db
      .select()
      .from(storyboards)
      .where(eq(storyboards.projectId, id));
    expect(stored.map((s) => s.framePrompt).sort()).toEqual(["one", "two"]);
    const full = await api.call("GET", `/api/v1/projects/${id}`);
    expect(full.body.project.prompt_used.dropped_asset_ids).toEqual([999_999]);
  });
});
