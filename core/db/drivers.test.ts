import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, harnesses } from "../../test/support/drivers.ts";
import { deleteAsset } from "../assets.ts";
import { LOCAL_PRINCIPAL, withPrincipal } from "../auth.ts";
import { createProject, getFullProject, listProjects, softDeleteProject } from "../projects.ts";
import { listPromptsByStep, upsertPrompt } from "../prompts.ts";
import { type DriverName, migrate, useDatabase } from "./client.ts";
import { assets, projects, storyboards } from "./schema.ts";

/** Core queries act for a principal; these act as the local owner, like `npm start` without a key. */
const itAsLocal = (name: string, fn: () => Promise<void>) =>
  it(name, () => withPrincipal(LOCAL_PRINCIPAL, fn));

describe.each(Object.keys(harnesses) as DriverName[])("data layer on %s", (driver) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harnesses[driver]();
    await migrate(h.database);
    await migrate(h.database); // start-up runs it every time: must be a no-op the second time
    useDatabase(h.database);
  });
  afterAll(async () => {
    useDatabase(undefined);
    await h?.stop();
  });

  it("upserts prompts on (step, name) without duplicating", async () => {
    const a = await upsertPrompt({ step: "create_shots", name: "v1", prompt: "one" });
    const b = await upsertPrompt({ step: "create_shots", name: "v1", prompt: "two" });
    expect(b.id).toBe(a.id);
    expect(b.prompt).toBe("two");
    expect(b.updatedAt.getTime()).toBeGreaterThanOrEqual(a.updatedAt.getTime());
    expect(await listPromptsByStep("create_shots")).toHaveLength(1);
  });

  itAsLocal("round-trips arrays, unicode and JSON exactly", async () => {
    const project = await createProject('小猫 "冒险", part 1');
    const tags = ["动物", "with, comma", 'quote "q"', "back\\slash", "{brace}", ""];
    const [asset] = await h.database.db
      .insert(assets)
      .values({ projectId: project.id, name: "猫", tags })
      .returning();
    await h.database.db
      .update(projects)
      .set({ promptUsed: { template: "${script}", nested: [1, { ok: true }] } })
      .where(eq(projects.id, project.id));
    await h.database.db
      .insert(storyboards)
      .values({ projectId: project.id, position: 0, frameAssetIds: [asset?.id ?? 0, 7] });
    const full = await getFullProject(project.id);
    expect(full.project.name).toBe('小猫 "冒险", part 1');
    expect(full.project.promptUsed).toEqual({ template: "${script}", nested: [1, { ok: true }] });
    expect(full.assets[0]?.tags).toEqual(tags);
    expect(full.storyboards[0]?.frameAssetIds).toEqual([asset?.id, 7]);
    expect(full.project.createdAt).toBeInstanceOf(Date);
  });

  itAsLocal("reads a whole project in one round trip", async () => {
    const project = await createProject("one trip");
    await h.database.db.insert(assets).values([
      { projectId: project.id, name: "a" },
      { projectId: project.id, name: "b" },
    ]);
    await h.database.db.insert(storyboards).values([
      { projectId: project.id, position: 1 },
      { projectId: project.id, position: 0 },
    ]);
    const before = h.roundTrips();
    const full = await getFullProject(project.id);
    expect(h.roundTrips() - before).toBe(1);
    expect(full.assets.map((a) => a.name)).toEqual(["a", "b"]);
    expect(full.storyboards.map((s) => s.position)).toEqual([0, 1]);
  });

  itAsLocal("pages and hides soft-deleted projects", async () => {
    const keep = await createProject("keep");
    const gone = await createProject("gone");
    await softDeleteProject(gone.id);
    const page = await listProjects(1, 100);
    const ids = page.items.map((p) => p.id);
    expect(ids).toContain(keep.id);
    expect(ids).not.toContain(gone.id);
    expect(page.total).toBe(ids.length);
    await expect(getFullProject(gone.id)).rejects.toMatchObject({ status: 404 });
  });

  itAsLocal("deletes an asset and unlinks it from storyboards in one atomic unit", async () => {
    const project = await createProject("atomic");
    const [a, b] = await h.database.db
      .insert(assets)
      .values([
        { projectId: project.id, name: "a" },
        { projectId: project.id, name: "b" },
      ])
      .returning();
    const aId = a?.id ?? 0;
    const bId = b?.id ?? 0;
    await h.database.db
      .insert(storyboards)
      .values({ projectId: project.id, position: 0, frameAssetIds: [aId, bId] });
    const before = h.roundTrips();
    await deleteAsset(aId);
    if (driver === "neon") expect(h.roundTrips() - before).toBe(1);
    const full = await getFullProject(project.id);
    expect(full.assets.map((x) => x.id)).toEqual([bId]);
    expect(full.storyboards[0]?.frameAssetIds).toEqual([bId]);
    await expect(deleteAsset(aId)).rejects.toMatchObject({ status: 404 });
  });

  itAsLocal("rolls the whole unit back when one statement fails", async () => {
    const project = await createProject("rollback");
    await expect(
      h.database.atomic((d) => [
        d.update(projects).set({ name: "renamed" }).where(eq(projects.id, project.id)),
        d.insert(assets).values({ projectId: 2_000_000_000, name: "orphan" }),
      ]),
    ).rejects.toThrow();
    expect((await getFullProject(project.id)).project.name).toBe("rollback");
  });
});
