import { beforeAll, describe, expect, it } from "vitest";
import { memoryDatabase } from "../test/support/app.ts";
import { deleteAsset } from "./assets.ts";
import {
  currentOwner,
  LOCAL_PRINCIPAL,
  type Principal,
  SYSTEM_PRINCIPAL,
  withPrincipal,
} from "./auth.ts";
import type { Database } from "./db/client.ts";
import { assets, storyboards } from "./db/schema.ts";
import { createProject, getFullProject, listProjects, requireLiveProject } from "./projects.ts";
import { requireLiveStoryboard } from "./storyboards.ts";

let database: Database;
const alice: Principal = { owner: "alice", admin: false, keyId: 1 };
const ids = { project: 0, asset: 0, storyboard: 0 };

beforeAll(async () => {
  database = await memoryDatabase();
  const project = await withPrincipal(alice, () => createProject("alice's film"));
  ids.project = project.id;
  const [asset] = await database.db
    .insert(assets)
    .values({ projectId: project.id, name: "cat" })
    .returning();
  const [board] = await database.db
    .insert(storyboards)
    .values({ projectId: project.id, position: 0 })
    .returning();
  ids.asset = asset?.id as number;
  ids.storyboard = board?.id as number;
});

describe("owner scope of core queries (ownedLive)", () => {
  it("fails closed: outside any principal a query matches nothing", async () => {
    await expect(getFullProject(ids.project)).rejects.toMatchObject({ status: 404 });
    await expect(requireLiveProject(ids.project)).rejects.toMatchObject({ status: 404 });
    await expect(requireLiveStoryboard(ids.storyboard)).rejects.toMatchObject({ status: 404 });
    await expect(deleteAsset(ids.asset)).rejects.toMatchObject({ status: 404 });
    expect(await listProjects(1, 100)).toMatchObject({ items: [], total: 0 });
  });

  it("scopes a key's principal to its owner", async () => {
    expect((await withPrincipal(alice, () => getFullProject(ids.project))).assets).toHaveLength(1);
    const other = withPrincipal(LOCAL_PRINCIPAL, () => requireLiveProject(ids.project));
    await expect(other).rejects.toMatchObject({ status: 404 });
  });

  it("lets the system principal act across owners, without owning anything itself", async () => {
    const seen = await withPrincipal(SYSTEM_PRINCIPAL, async () => ({
      project: await requireLiveProject(ids.project),
      storyboard: await requireLiveStoryboard(ids.storyboard),
      listed: await listProjects(1, 100),
      owner: currentOwner(),
    }));
    expect(seen.project.owner).toBe("alice");
    expect(seen.storyboard.id).toBe(ids.storyboard);
    expect(seen.listed.items.map((p) => p.id)).toContain(ids.project);
    // Spend rows and new rows fall back to the project's owner, not to "(system)".
    expect(seen.owner).toBeUndefined();
  });
});
