import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { config } from "../../core/config.ts";
import { assets, storyboards } from "../../core/db/schema.ts";
import { createProviders, useProviders } from "../../core/providers/index.ts";
import { type TestApi, testApi } from "../../test/support/app.ts";
import { projectWithAssets } from "../../test/support/projects.ts";

let api: TestApi;
beforeAll(async () => {
  api = await testApi();
});
afterEach(() => useProviders(undefined));

describe("frames", () => {
  async function board(withImages = true) {
    const { id, assetIds } = await projectWithAssets(api, withImages);
    const [row] = await api.database.db
      .insert(storyboards)
      .values({ projectId: id, position: 0, framePrompt: "f", frameAssetIds: assetIds })
      .returning();
    return { projectId: id, assetIds, boardId: row?.id as number };
  }

  it("refuses assets of another project with 400", async () => {
    const { boardId } = await board();
    const other = await projectWithAssets(api, true);
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
