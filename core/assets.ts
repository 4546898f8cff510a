import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { database, db } from "./db/client.ts";
import { type Asset, assets, storyboards } from "./db/schema.ts";
import { AppError } from "./errors.ts";
import { checkUserUrl } from "./net/user-url.ts";
import { liveProjectIds } from "./projects.ts";
import { recordVersion } from "./versions.ts";

export const assetNotFound = (id: number) => new AppError(404, "not_found", `素材 ${id} 不存在`);

const liveAsset = (id: number) =>
  and(eq(assets.id, id), inArray(assets.projectId, liveProjectIds()));

/** A project's assets in creation order (what a finished asset-image batch answers with). */
export async function projectAssets(projectId: number): Promise<Asset[]> {
  return (await db())
    .select()
    .from(assets)
    .where(eq(assets.projectId, projectId))
    .orderBy(asc(assets.id));
}

/**
 * Points an asset at the user's own image. The asset is looked up first, so nobody can make the
 * server resolve names for assets they cannot see; the URL is then checked like any user URL.
 */
export async function setAssetImage(id: number, imageUrl: string): Promise<void> {
  const visible = await (await db()).select({ id: assets.id }).from(assets).where(liveAsset(id));
  if (visible.length === 0) throw assetNotFound(id);
  await checkUserUrl(imageUrl, ["body", "image_url"]);
  const [asset] = await (await db()).select().from(assets).where(liveAsset(id));
  if (!asset) throw assetNotFound(id);
  await recordVersion({
    projectId: asset.projectId,
    assetId: id,
    kind: "image",
    url: imageUrl,
    source: "uploaded",
    provenance: { previous_version_id: asset.imageVersionId },
  });
}

/**
 * Deletes the asset and drops its id from every storyboard that referenced it, atomically, so no
 * storyboard keeps pointing at an image that no longer exists.
 */
export async function deleteAsset(id: number): Promise<void> {
  const [, deleted] = await (await database()).atomic(
    (d) =>
      [
        d
          .update(storyboards)
          .set({ frameAssetIds: sql`array_remove(${storyboards.frameAssetIds}, ${id})` })
          .where(
            and(
              sql`${id} = any(${storyboards.frameAssetIds})`,
              sql`exists (select 1 from ${assets} where ${liveAsset(id)})`,
            ),
          ),
        d.delete(assets).where(liveAsset(id)).returning({ id: assets.id }),
      ] as const,
  );
  if (deleted.length === 0) throw assetNotFound(id);
}

/** The editable fields of an asset (CONTRACT, "Editing"). */
export interface AssetFields {
  name?: string;
  description?: string;
  tags?: string[];
  /** The voice this character speaks with; null clears it (the project's voice is used). */
  voice?: string | null;
}

/** Changes an asset's fields; its image and versions stay as they are. */
export async function updateAsset(id: number, fields: AssetFields): Promise<Asset> {
  const [row] = await (await db())
    .update(assets)
    .set({ ...fields, updatedAt: new Date() })
    .where(liveAsset(id))
    .returning();
  if (!row) throw assetNotFound(id);
  return row;
}

/** The asset if its project is live and the caller's, or a 404. */
export async function requireLiveAsset(id: number): Promise<Asset> {
  const [row] = await (await db()).select().from(assets).where(liveAsset(id));
  if (!row) throw assetNotFound(id);
  return row;
}
