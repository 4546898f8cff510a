import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { assets, storyboards } from "../../core/db/schema.ts";
import { testApi } from "../../test/support/app.ts";

let api: Awaited<ReturnType<typeof testApi>>;
beforeAll(async () => {
  api = await testApi();
});

const create = async (name: string) => (await api.call("POST", "/api/v1/projects", { name })).body;

describe("projects", () => {
  it("creates a project with 201 and the seed's body", async () => {
    const res = await api.call("POST", "/api/v1/projects", { name: "  我的第一个项目 " });
    expect(res.status).toBe(201);
    // The seed's body, plus the project's settings with their defaults (additive).
    expect(res.body).toMatchObject({ id: expect.any(Number), name: "我的第一个项目" });
    expect(res.body.settings).toMatchObject({ aspect_ratio: "16:9", transition: "cut" });
  });

  it("pages newest first with total, page and size", async () => {
    const fresh = await testApi();
    for (const n of ["p1", "p2", "p3", "p4", "p5"]) {
      await fresh.call("POST", "/api/v1/projects", { name: n });
    }
    const first = await fresh.call("GET", "/api/v1/projects?page=1&size=2");
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ total: 5, page: 1, size: 2 });
    expect(first.body.items.map((p: { name: string }) => p.name)).toEqual(["p5", "p4"]);
    expect(Object.keys(first.body.items[0]).sort()).toEqual([
      "created_at",
      "id",
      "name",
      "updated_at",
    ]);
    const last = await fresh.call("GET", "/api/v1/projects?page=3&size=2");
    expect(last.body.items.map((p: { name: string }) => p.name)).toEqual(["p1"]);
    const beyond = await fresh.call("GET", "/api/v1/projects?page=9&size=2");
    expect(beyond.body).toMatchObject({ items: [], total: 5 });
    const defaults = await fresh.call("GET", "/api/v1/projects");
    expect(defaults.body).toMatchObject({ page: 1, size: 20 });
    // Restore the shared database for the other tests of this file.
    api = await testApi();
  });

  it.each([
    ["page=0", "query.page"],
    ["size=0", "query.size"],
    ["size=101", "query.size"],
    ["page=abc", "query.page"],
    ["page=10001", "query.page"],
  ])("bounds paging: %s → 422 on %s", async (query, field) => {
    const res = await api.call("GET", `/api/v1/projects?${query}`);
    expect(res.status).toBe(422);
    expect(res.body.errors[0].loc.join(".")).toBe(field);
  });

  it("returns project, assets and storyboards in one database statement", async () => {
    const { id } = await create("full");
    const d = api.database.db;
    const [a1, a2] = await d
      .insert(assets)
      .values([
        { projectId: id, name: "cat", description: "orange cat", tags: ["animal", "lead"] },
        { projectId: id, name: "forest", tags: [] },
      ])
      .returning();
    await d.insert(storyboards).values([
      { projectId: id, position: 1, framePrompt: "second", frameAssetIds: [a2?.id ?? 0] },
      {
        projectId: id,
        position: 0,
        framePrompt: "first",
        frameAssetIds: [a1?.id ?? 0, a2?.id ?? 0],
      },
    ]);
    api.queries.length = 0;
    const res = await api.call("GET", `/api/v1/projects/${id}`);
    expect(api.queries).toHaveLength(1);
    expect(res.status).toBe(200);
    expect(res.body.project).toMatchObject({ id, name: "full", script: null, video_url: null });
    expect(res.body.assets).toEqual([
      expect.objectContaining({ name: "cat", tags: ["animal", "lead"], original_url: null }),
      expect.objectContaining({ name: "forest", tags: [] }),
    ]);
    expect(res.body.storyboards.map((s: { frame_prompt: string }) => s.frame_prompt)).toEqual([
      "first",
      "second",
    ]);
    expect(res.body.storyboards[0].frame_asset_ids).toEqual([a1?.id, a2?.id]);
    expect(res.body.storyboards[0].created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("soft-deletes: hidden from get, list and a second delete; the row stays", async () => {
    const { id } = await create("doomed");
    const del = await api.call("DELETE", `/api/v1/projects/${id}`);
    expect(del).toMatchObject({ status: 200, body: { message: `项目 ${id} 删除成功` } });
    expect(await api.call("GET", `/api/v1/projects/${id}`)).toMatchObject({
      status: 404,
      body: { detail: `项目 ${id} 不存在`, code: "not_found" },
    });
    expect((await api.call("DELETE", `/api/v1/projects/${id}`)).status).toBe(404);
    const list = await api.call("GET", "/api/v1/projects?size=100");
    expect(list.body.items.map((p: { id: number }) => p.id)).not.toContain(id);
    const rows = await api.database.db.query.projects.findFirst({
      where: (p) => eq(p.id, id),
    });
    expect(rows?.deletedAt).toBeInstanceOf(Date);
  });

  it("404s an unknown project and 422s a bad id", async () => {
    expect((await api.call("GET", "/api/v1/projects/424242")).status).toBe(404);
    expect((await api.call("GET", "/api/v1/projects/-3")).status).toBe(422);
    expect((await api.call("DELETE", "/api/v1/projects/x")).status).toBe(422);
  });

  it.each([
    [{}, 422],
    [{ name: "" }, 422],
    [{ name: "x".repeat(201) }, 422],
    [{ name: null }, 422],
    [[], 422],
    ["null", 422],
  ])("rejects body %j with %i", async (body, status) => {
    const res = await api.call("POST", "/api/v1/projects", body);
    expect(res.status).toBe(status);
    expect(res.body).toHaveProperty("detail");
    expect(res.body).toHaveProperty("code");
  });
});
