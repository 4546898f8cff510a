import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { config } from "../../core/config.ts";
import { assets, storyboards } from "../../core/db/schema.ts";
import { ProviderError } from "../../core/providers/errors.ts";
import { createProviders, useProviders } from "../../core/providers/index.ts";
import type { TextProvider } from "../../core/providers/types.ts";
import { testApi } from "../../test/support/app.ts";

const SCRIPT_T = "Idea: ${script_or_idea}";
const BOARDS_T = "${materials_description}\n${script}";

let api: Awaited<ReturnType<typeof testApi>>;
beforeAll(async () => {
  api = await testApi();
});
afterEach(() => useProviders(undefined));

async function project(name = "p") {
  return (await api.call("POST", "/api/v1/projects", { name })).body.id as number;
}

async function projectWithAssets(withImages: boolean) {
  const id = await project();
  const rows = await api.database.db
    .insert(assets)
    .values(
      ["cat", "forest"].map((name) => ({
        projectId: id,
        name,
        originalUrl: withImages ? "https://cdn.example.com/x.png" : null,
      })),
    )
    .returning();
  return { id, assetIds: rows.map((r) => r.id) };
}

/** Offline providers with the text provider swapped, e.g. for an LLM that invents ids. */
async function withText(text: Partial<TextProvider>) {
  const base = await createProviders(config());
  useProviders({ ...base, text: { ...base.text, ...text } });
}

describe("generate-script", () => {
  it("refuses a template without ${script_or_idea} with the front end's 400", async () => {
    const res = await api.call("POST", `/api/v1/projects/${await project()}/generate-script`, {
      script_or_idea: "idea",
      prompt_template: "no variable here",
    });
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
    const gone = await project();
    await api.call("DELETE", `/api/v1/projects/${gone}`);
    expect((await api.call("POST", `/api/v1/projects/${gone}/generate-script`, body)).status).toBe(
      404,
    );
    const id = await project();
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
    const id = await project();
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
    const { id } = await projectWithAssets(true);
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
    const bare = await project();
    expect(
      (await api.call("POST", `/api/v1/projects/${bare}/generate-storyboards`, body)).body.code,
    ).toBe("no_assets");
    const { id } = await projectWithAssets(false);
    const res = await api.call("POST", `/api/v1/projects/${id}/generate-storyboards`, body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("assets_without_images");
    expect(res.body.detail).toContain("cat");
  });

  it("drops asset ids the LLM invented, keeps the project's own, and replaces old storyboards", async () => {
    const { id, assetIds } = await projectWithAssets(true);
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

describe("frames", () => {
  async function board(withImages = true) {
    const { id, assetIds } = await projectWithAssets(withImages);
    const [row] = await api.database.db
      .insert(storyboards)
      .values({ projectId: id, position: 0, framePrompt: "f", frameAssetIds: assetIds })
      .returning();
    return { projectId: id, assetIds, boardId: row?.id as number };
  }

  it("refuses assets of another project with 400", async () => {
    const { boardId } = await board();
    const other = await projectWithAssets(true);
    const res = await api.call("POST", `/api/v1/storyboards/${boardId}/generate-frame`, {
      frame_prompt: "p",
      frame_asset_ids: [other.assetIds[0]],
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("asset_not_in_project");
  });

  it("refuses assets without images, unknown storyboards and bad bodies", async () => {
    const { boardId, assetIds } = await board(false);
    const res = await api.call("POST", `/api/v1/storyboards/${boardId}/generate-frame`, {
      frame_prompt: "p",
      frame_asset_ids: assetIds,
    });
    expect(res.body.code).toBe("assets_without_images");
    const body = { frame_prompt: "p", frame_asset_ids: [] };
    expect((await api.call("POST", "/api/v1/storyboards/777777/generate-frame", body)).status).toBe(
      404,
    );
    for (const bad of [
      { frame_prompt: "p" },
      { frame_prompt: "", frame_asset_ids: [] },
      { frame_prompt: "p", frame_asset_ids: [-1] },
    ]) {
      expect(
        (await api.call("POST", `/api/v1/storyboards/${boardId}/generate-frame`, bad)).status,
      ).toBe(422);
    }
  });

  it("refuses a guide before a first frame exists, and private guide URLs", async () => {
    const { boardId } = await board();
    const early = await api.call("POST", `/api/v1/storyboards/${boardId}/guide-frame`, {
      guide_image_url: "https://example.com/g.png",
    });
    expect(early).toMatchObject({ status: 400, body: { code: "frame_missing" } });
    await api.database.db
      .update(storyboards)
      .set({ frameImageUrl: "http://169.254.169.254/latest/meta-data" })
      .where(eq(storyboards.id, boardId));
    const ssrf = await api.call("POST", `/api/v1/storyboards/${boardId}/guide-frame`, {
      guide_image_url: "http://10.0.0.7/sketch.png",
    });
    expect(ssrf).toMatchObject({ status: 422, body: { code: "url_not_allowed" } });
    expect(ssrf.body.errors[0].loc).toEqual(["body", "guide_image_url"]);
  });

  it("answers a guide or reference URL whose host does not exist with 422, not 502, and draws nothing", async () => {
    const drawn: string[] = [];
    const base = await createProviders(config());
    useProviders({
      ...base,
      image: {
        ...base.image,
        generate: (input) => {
          drawn.push(input.prompt);
          return base.image.generate(input);
        },
      },
    });
    const { boardId, assetIds } = await board();
    await api.database.db
      .update(storyboards)
      .set({ frameImageUrl: "https://cdn.example.com/frame.png" })
      .where(eq(storyboards.id, boardId));
    const guide = await api.call("POST", `/api/v1/storyboards/${boardId}/guide-frame`, {
      guide_image_url: "https://sketches.nonexistent.invalid/g.png",
    });
    expect(guide).toMatchObject({ status: 422, body: { code: "url_unresolvable" } });
    expect(guide.body.errors[0].loc).toEqual(["body", "guide_image_url"]);
    // A stored URL whose host no longer exists is still the user's to fix when it is fetched.
    await api.database.db
      .update(assets)
      .set({ originalUrl: "https://gone.invalid/cat.png" })
      .where(eq(assets.id, assetIds[0] as number));
    const frame = await api.call("POST", `/api/v1/storyboards/${boardId}/generate-frame`, {
      frame_prompt: "p",
      frame_asset_ids: [assetIds[0]],
    });
    expect(frame).toMatchObject({ status: 422, body: { code: "url_unresolvable" } });
    expect(drawn).toEqual([]);
  });
});

describe("legacy asset analysis", () => {
  it("refuses private URLs and too many URLs", async () => {
    const id = await project();
    const private_ = await api.call("POST", `/api/v1/projects/${id}/assets`, {
      asset_urls: ["http://127.0.0.1:5432/x.png"],
    });
    expect(private_).toMatchObject({ status: 422, body: { code: "url_not_allowed" } });
    const second = await api.call("POST", `/api/v1/projects/${id}/assets`, {
      asset_urls: ["https://93.184.215.14/ok.png", "http://metadata.google.internal/x"],
    });
    expect(second).toMatchObject({ status: 422, body: { code: "url_not_allowed" } });
    expect(second.body.errors[0].loc).toEqual(["body", "asset_urls", 1]);
    const nowhere = await api.call("POST", `/api/v1/projects/${id}/assets`, {
      asset_urls: ["https://nonexistent.invalid/x.png"],
    });
    expect(nowhere).toMatchObject({ status: 422, body: { code: "url_unresolvable" } });
    const listed = await api.call("GET", `/api/v1/projects/${id}`);
    expect(listed.body.assets).toEqual([]);
    const many = Array.from({ length: 11 }, (_, i) => `https://example.com/${i}.png`);
    expect(
      (await api.call("POST", `/api/v1/projects/${id}/assets`, { asset_urls: many })).status,
    ).toBe(422);
    expect(
      (await api.call("POST", `/api/v1/projects/${id}/assets`, { asset_urls: [] })).status,
    ).toBe(422);
  });
});
