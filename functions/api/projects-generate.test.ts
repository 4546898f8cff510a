import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { config } from "../../core/config.ts";
import { storyboards } from "../../core/db/schema.ts";
import { ProviderError } from "../../core/providers/errors.ts";
import { createProviders, useProviders } from "../../core/providers/index.ts";
import type { TextProvider } from "../../core/providers/types.ts";
import { SCRIPT_TEMPLATE, STORYBOARDS_TEMPLATE } from "../../core/step-templates.ts";
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
      { script_or_idea: "x", prompt_template: "" },
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

/**
 * A request without `prompt_template` gets the step's stored template (the first by name), else
 * the built-in one, stored as `default` on first use; one that sends a template is unchanged.
 */
describe("generate without a template", () => {
  /** Every prompt the LLM is sent, in order, with the offline provider's answers. */
  async function recordPrompts() {
    const prompts: string[] = [];
    const base = (await createProviders(config())).text;
    await withText({
      writeScript: (input) => {
        prompts.push(input.prompt);
        return base.writeScript(input);
      },
      planStoryboards: (input) => {
        prompts.push(input.prompt);
        return base.planStoryboards(input);
      },
    });
    return prompts;
  }
  const stepTemplates = async (step: string) =>
    (await api.call("GET", `/api/v1/prompts/step/${step}`)).body as {
      name: string;
      prompt: string;
      version: number;
    }[];

  it("404s an unknown or deleted project before storing any built-in template", async () => {
    const gone = await newProject(api);
    await api.call("DELETE", `/api/v1/projects/${gone}`);
    for (const id of [987_654, gone]) {
      const script = { script_or_idea: "a kite" };
      expect(
        (await api.call("POST", `/api/v1/projects/${id}/generate-script`, script)).status,
      ).toBe(404);
      const boards = { script: "A cat." };
      const res = await api.call("POST", `/api/v1/projects/${id}/generate-storyboards`, boards);
      expect(res.status).toBe(404);
    }
    expect(await stepTemplates("create_script")).toEqual([]);
    expect(await stepTemplates("create_shots")).toEqual([]);
  });

  it("script: the built-in stored on first use, then the step's own, and a sent one as sent", async () => {
    const id = await newProject(api);
    const prompts = await recordPrompts();
    const url = `/api/v1/projects/${id}/generate-script`;
    expect(await stepTemplates("create_script")).toEqual([]);
    expect((await api.call("POST", url, { script_or_idea: "a kite" })).status).toBe(200);
    expect(prompts.at(-1)).toBe(SCRIPT_TEMPLATE.replace("${script_or_idea}", "a kite"));
    expect(await stepTemplates("create_script")).toMatchObject([
      { name: "default", prompt: SCRIPT_TEMPLATE, version: 1 },
    ]);

    // An admin's template sorts before "default": the first by name is the one used.
    await api.call("POST", "/api/v1/prompts", {
      step: "create_script",
      name: "a-house-style",
      prompt: "House style: ${script_or_idea}",
    });
    await api.call("POST", url, { script_or_idea: "a kite" });
    expect(prompts.at(-1)).toBe("House style: a kite");

    await api.call("POST", url, { script_or_idea: "a kite", prompt_template: SCRIPT_T });
    expect(prompts.at(-1)).toBe("Idea: a kite");
    expect(await stepTemplates("create_script")).toHaveLength(2);
  });

  it("storyboards: the built-in stored on first use, then the step's own, and a sent one as sent", async () => {
    const { id } = await projectWithAssets(api, true);
    const prompts = await recordPrompts();
    const url = `/api/v1/projects/${id}/generate-storyboards`;
    expect(await stepTemplates("create_shots")).toEqual([]);
    const res = await api.call("POST", url, { script: "A cat in a forest." });
    expect(res.status).toBe(200);
    expect(prompts.at(-1)).toContain("Split the script into shots");
    expect(prompts.at(-1)).toMatch(/"name": "cat"[\s\S]*Script:\nA cat in a forest\.$/);
    expect(await stepTemplates("create_shots")).toMatchObject([
      { name: "default", prompt: STORYBOARDS_TEMPLATE, version: 1 },
    ]);
    const full = await api.call("GET", `/api/v1/projects/${id}`);
    expect(full.body.project.prompt_used.template).toBe(STORYBOARDS_TEMPLATE);

    await api.call("POST", "/api/v1/prompts", {
      step: "create_shots",
      name: "default",
      prompt: "Edited: ${script} with ${materials_description}",
    });
    await api.call("POST", url, { script: "s" });
    expect(prompts.at(-1)).toMatch(/^Edited: s with \[/);

    await api.call("POST", url, { script: "s", prompt_template: BOARDS_T });
    expect(prompts.at(-1)).toMatch(/^\[[\s\S]*\]\ns$/);
  });
});
