import { and, desc, eq, inArray, type SQL, sql } from "drizzle-orm";
import { requireLiveAsset } from "./assets.ts";
import { database, db } from "./db/client.ts";
import { assets, storyboards, type Version, versions } from "./db/schema.ts";
import { AppError } from "./errors.ts";
import { liveProjectIds } from "./projects.ts";
import { requireLiveStoryboard } from "./storyboards.ts";

export type VersionKind = "frame" | "video" | "narration" | "image";
export type VersionSource = "generated" | "guided" | "uploaded" | "regenerated";

/** How a version was made: enough to reproduce or audit it. */
export interface Provenance {
  provider?: string;
  model?: string;
  /** The exact prompt text sent to the model. */
  prompt?: string;
  /** The prompt template used, by id and version (see `prompt_versions`). */
  template?: { id: number; step: string; name: string; version: number } | null;
  /** The versions it was made from (asset images, the first frame). */
  input_versions?: Record<string, unknown>;
  cost_usd?: number;
  job_id?: string;
  [more: string]: unknown;
}

export interface NewVersion {
  projectId: number;
  storyboardId?: number;
  assetId?: number;
  kind: VersionKind;
  url: string;
  source: VersionSource;
  provenance: Provenance;
  /** What it was made from, compared with the present to decide staleness (staleness.ts). */
  inputs?: object;
}

/** The columns of the owning row that show a kind's current version. */
const CURRENT = {
  frame: { id: storyboards.frameVersionId, url: storyboards.frameImageUrl },
  video: { id: storyboards.videoVersionId, url: storyboards.shotVideoUrl },
  narration: { id: storyboards.narrationVersionId, url: undefined },
  image: { id: assets.imageVersionId, url: assets.originalUrl },
} as const;

const newest = (owner: "storyboard" | "asset", ownerId: number, kind: VersionKind) =>
  sql`(select max(${versions.id}) from ${versions} where ${
    owner === "asset" ? versions.assetId : versions.storyboardId
  } = ${ownerId} and ${versions.kind} = ${kind})`;

export interface RecordOptions {
  /** Keep the version in the history without making it current (a result that landed after its
   * job was canceled: the user may still select it). `extra` is not written then. */
  keepPointer?: boolean;
}

/**
 * Keeps a new version and makes it current, in one transaction (one request on Neon). The
 * pointer takes the newest version of its kind, so two results landing at once stay consistent.
 * `extra` sets more columns of the owning row in the same write (e.g. the legacy `frame_meta`).
 */
export async function recordVersion(
  next: NewVersion,
  extra: Record<string, unknown> = {},
  options: RecordOptions = {},
): Promise<void> {
  const insert = (d: Awaited<ReturnType<typeof db>>) =>
    d.insert(versions).values({
      projectId: next.projectId,
      storyboardId: next.storyboardId,
      assetId: next.assetId,
      kind: next.kind,
      url: next.url,
      source: next.source,
      provenance: next.provenance,
      inputs: next.inputs ?? {},
    });
  if (options.keepPointer) {
    await insert(await db());
    return;
  }
  const latest = next.assetId
    ? newest("asset", next.assetId, next.kind)
    : newest("storyboard", next.storyboardId as number, next.kind);
  const current = CURRENT[next.kind];
  const pointer = {
    [columnKey(current.id)]: latest,
    ...(current.url
      ? {
          [columnKey(current.url)]:
            sql`(select ${versions.url} from ${versions} where ${versions.id} = ${latest})`,
        }
      : {}),
    ...extra,
  };
  await (await database()).atomic((d) =>
    next.assetId
      ? ([insert(d), d.update(assets).set(pointer).where(eq(assets.id, next.assetId))] as const)
      : ([
          insert(d),
          d
            .update(storyboards)
            .set(pointer)
            .where(eq(storyboards.id, next.storyboardId as number)),
        ] as const),
  );
}

/** The drizzle property name of a column (the key `update().set()` expects). */
function columnKey(column: { name: string }): string {
  return column.name.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
}

export const versionNotFound = (id: number) =>
  new AppError(404, "not_found", `Version ${id} does not exist`);

export interface VersionOut {
  version_id: number;
  kind: VersionKind;
  url: string;
  current: boolean;
  source: VersionSource;
  provenance: Provenance;
  created_at: string;
}

const toOut = (v: Version, currentIds: Set<number>): VersionOut => ({
  version_id: v.id,
  kind: v.kind as VersionKind,
  url: v.url,
  current: currentIds.has(v.id),
  source: v.source as VersionSource,
  provenance: v.provenance as Provenance,
  created_at: v.createdAt.toISOString(),
});

/** Versions of one storyboard or asset, newest first, marking the current ones. */
async function historyOf(owner: SQL, current: (number | null)[]): Promise<VersionOut[]> {
  const rows = await (await db()).select().from(versions).where(owner).orderBy(desc(versions.id));
  const ids = new Set(current.filter((id): id is number => id !== null));
  return rows.map((v) => toOut(v, ids));
}

/** A storyboard's versions (frames, shot videos, narration), newest first. */
export async function storyboardVersions(storyboardId: number): Promise<VersionOut[]> {
  const board = await requireLiveStoryboard(storyboardId);
  return historyOf(eq(versions.storyboardId, storyboardId), [
    board.frameVersionId,
    board.videoVersionId,
    board.narrationVersionId,
  ]);
}

/** An asset's image versions, newest first. */
export async function assetVersions(assetId: number): Promise<VersionOut[]> {
  const asset = await requireLiveAsset(assetId);
  return historyOf(eq(versions.assetId, assetId), [asset.imageVersionId]);
}

/**
 * Makes an earlier version current again: its URL is back in `frame_image_url`,
 * `shot_video_url` or `original_url`. A version of another storyboard or asset is a 404.
 */
export async function selectVersion(
  owner: { storyboardId: number } | { assetId: number },
  versionId: number,
): Promise<void> {
  const d = await db();
  const isAsset = "assetId" in owner;
  const [version] = await d
    .select()
    .from(versions)
    .where(
      and(
        eq(versions.id, versionId),
        isAsset
          ? eq(versions.assetId, owner.assetId)
          : eq(versions.storyboardId, owner.storyboardId),
        inArray(versions.projectId, liveProjectIds()),
      ),
    );
  if (!version) throw versionNotFound(versionId);
  const current = CURRENT[version.kind as VersionKind];
  const set = {
    [columnKey(current.id)]: version.id,
    ...(current.url ? { [columnKey(current.url)]: version.url } : {}),
  };
  if (isAsset) await d.update(assets).set(set).where(eq(assets.id, owner.assetId));
  else await d.update(storyboards).set(set).where(eq(storyboards.id, owner.storyboardId));
}
