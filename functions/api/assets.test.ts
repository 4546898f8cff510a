import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { assets, storyboards } from "../../core/db/schema.ts";
import { testApi } from "../../test/support/app.ts";

let api: Awaited<ReturnType<typeof testApi>>;
beforeAll(async () => {
  api = await testApi();
});

async function projectWithAssets() {
  const { id } = (await api.call("POST", "/api/v1/projects", { name: "p" })).body;
  const rows = await api.database.db
    .insert(assets)
    .values([
      { projectId: id, name: "a" },
      { projectId: id, name: "b" },
    ])
    .returning();
  const ids = rows.map((r) => r.id);
  const [board] = await api.database.db
    .insert(storyboards)
    .values({ projectId: id, position: 0, frameAssetIds: ids })
    .returning();
  return { projectId: id, assetIds: ids as [number, number], storyboardId: board?.id ?? 0 };
}

describe("assets", () => {
  it("sets an asset's image url", async () => {
    const { projectId, assetIds } = await projectWithAssets();
    const res = await api.call("PUT", `/api/v1/assets/${assetIds[0]}/image`, {
      image_url: "https://cdn.example.com/cat.png",
    });
    expect(res).toMatchObject({ status: 200, body: { message: "素材图片更新成功" } });
    const full = await api.call("GET", `/api/v1/projects/${projectId}`);
    expect(full.body.assets[0].original_url).toBe("https://cdn.example.com/cat.png");
  });

  it.each([
    [{ image_url: "not a url" }],
    [{ image_url: "ftp://example.com/a.png" }],
    [{ image_url: "javascript:alert(1)" }],
    [{ image_url: `https://example.com/${"a".repeat(2100)}` }],
    [{}],
  ])("rejects %j with 422", async (body) => {
    const { assetIds } = await projectWithAssets();
    const res = await api.call("PUT", `/api/v1/assets/${assetIds[0]}/image`, body);
    expect(res.status).toBe(422);
    expect(res.body.errors[0].loc).toEqual(["body", "image_url"]);
  });

  it("deletes an asset and removes it from storyboards atomically", async () => {
    const { assetIds, storyboardId } = await projectWithAssets();
    const res = await api.call("DELETE", `/api/v1/assets/${assetIds[0]}`);
    expect(res).toMatchObject({ status: 200, body: { message: `素材 ${assetIds[0]} 删除成功` } });
    const [board] = await api.database.db
      .select()
      .from(storyboards)
      .where(eq(storyboards.id, storyboardId));
    expect(board?.frameAssetIds).toEqual([assetIds[1]]);
    expect((await api.call("DELETE", `/api/v1/assets/${assetIds[0]}`)).body).toMatchObject({
      code: "not_found",
      detail: `素材 ${assetIds[0]} 不存在`,
    });
  });

  it("treats assets of a soft-deleted project as gone, and leaves its storyboards alone", async () => {
    const { projectId, assetIds, storyboardId } = await projectWithAssets();
    await api.call("DELETE", `/api/v1/projects/${projectId}`);
    expect((await api.call("DELETE", `/api/v1/assets/${assetIds[0]}`)).status).toBe(404);
    const put = await api.call("PUT", `/api/v1/assets/${assetIds[1]}/image`, {
      image_url: "https://example.com/x.png",
    });
    expect(put.status).toBe(404);
    const [board] = await api.database.db
      .select()
      .from(storyboards)
      .where(eq(storyboards.id, storyboardId));
    expect(board?.frameAssetIds).toEqual(assetIds);
  });

  it("404s unknown assets and 422s bad ids", async () => {
    expect((await api.call("DELETE", "/api/v1/assets/99999")).status).toBe(404);
    expect(
      (await api.call("PUT", "/api/v1/assets/99999/image", { image_url: "https://e.com/a.png" }))
        .status,
    ).toBe(404);
    expect((await api.call("DELETE", "/api/v1/assets/0")).status).toBe(422);
  });
});
