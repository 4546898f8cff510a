import { and, asc, count, desc, eq, isNull, type SQL, sql } from "drizzle-orm";
import { currentOwner, currentPrincipal, LOCAL_OWNER } from "./auth.ts";
import { db } from "./db/client.ts";
import { type Asset, type Project, projects, type Storyboard } from "./db/schema.ts";
import { AppError } from "./errors.ts";
import type { ProjectSettings } from "./settings.ts";
import { isFinalCutStale, isFrameStale, isVideoStale } from "./staleness.ts";

export const projectNotFound = (id: number) => new AppError(404, "not_found", `项目 ${id} 不存在`);

/**
 * Live projects the current principal may see: not deleted, and owned by its key's owner. Every
 * path to a project, asset, storyboard or job goes through this, so another owner's rows are 404.
 * Fails closed: outside any principal it matches nothing; the system principal sees every owner.
 */
export function ownedLive(): SQL {
  const principal = currentPrincipal();
  if (!principal) return sql`false`;
  if (principal.system) return isNull(projects.deletedAt);
  return and(isNull(projects.deletedAt), eq(projects.owner, principal.owner)) as SQL;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  size: number;
}

export type ProjectSummary = Pick<Project, "id" | "name" | "createdAt" | "updatedAt">;

export async function listProjects(page: number, size: number): Promise<Page<ProjectSummary>> {
  const d = await db();
  const [items, [totals]] = await Promise.all([
    d
      .select({
        id: projects.id,
        name: projects.name,
        createdAt: projects.createdAt,
        updatedAt: projects.updatedAt,
      })
      .from(projects)
      .where(ownedLive())
      .orderBy(desc(projects.id))
      .limit(size)
      .offset((page - 1) * size),
    d.select({ total: count() }).from(projects).where(ownedLive()),
  ]);
  return { items, total: totals?.total ?? 0, page, size };
}

export async function createProject(
  name: string,
  settings: Partial<ProjectSettings> = {},
): Promise<Project> {
  const [row] = await (await db())
    .insert(projects)
    .values({ name, owner: currentOwner() ?? LOCAL_OWNER, settings })
    .returning();
  if (!row) throw new Error("insert returned no row");
  return row;
}

export async function softDeleteProject(id: number): Promise<void> {
  const rows = await (await db())
    .update(projects)
    .set({ deletedAt: sql`now()` })
    .where(and(eq(projects.id, id), ownedLive()))
    .returning({ id: projects.id });
  if (rows.length === 0) throw projectNotFound(id);
}

/** A storyboard with whether its current frame and shot video still match their inputs. */
type StoryboardState = Storyboard & { frameStale: boolean; videoStale: boolean };

export interface FullProject {
  project: Project & { videoStale: boolean };
  assets: Asset[];
  storyboards: StoryboardState[];
}

/**
 * Project, assets and storyboards in one statement (drizzle builds one query with lateral joins),
 * with the inputs of each current frame and shot video, so staleness needs no second query.
 */
export async function getFullProject(id: number): Promise<FullProject> {
  const row = await (await db()).query.projects.findFirst({
    where: and(eq(projects.id, id), ownedLive()),
    with: {
      assets: { orderBy: (a) => [asc(a.id)] },
      storyboards: {
        orderBy: (s) => [asc(s.position), asc(s.id)],
        with: {
          frameVersion: { columns: { inputs: true } },
          videoVersion: { columns: { inputs: true } },
        },
      },
    },
  });
  if (!row) throw projectNotFound(id);
  const { assets: assetRows, storyboards: boardRows, ...project } = row;
  const boards = boardRows.map(({ frameVersion, videoVersion, ...board }) => ({
    ...board,
    frameStale: isFrameStale(board, frameVersion, assetRows),
    videoStale: isVideoStale(board, videoVersion),
  }));
  return {
    project: { ...project, videoStale: isFinalCutStale(project, boards) },
    assets: assetRows,
    storyboards: boards,
  };
}

/** The project if it exists and is not deleted; used to guard writes below a project. */
export async function requireLiveProject(id: number): Promise<Project> {
  const [row] = await (await db())
    .select()
    .from(projects)
    .where(and(eq(projects.id, id), ownedLive()));
  if (!row) throw projectNotFound(id);
  return row;
}

/** Ids of the live projects the current principal may see (assets live as long as their project). */
export const liveProjectIds = () =>
  sql`(select ${projects.id} from ${projects} where ${ownedLive()})`;

/** The editable fields of a project (CONTRACT, "Editing"). */
export interface ProjectFields {
  name?: string;
  /** The idea or script the storyboards are planned from (the seed's `script`). */
  idea?: string | null;
  full_script?: string | null;
  /** A partial update: only the settings sent change; the rest keep their values. */
  settings?: Partial<ProjectSettings>;
}

/** Changes a project's fields and settings in one statement; a deleted project is a 404. */
export async function updateProject(id: number, fields: ProjectFields): Promise<Project> {
  const [row] = await (await db())
    .update(projects)
    .set({
      ...(fields.name !== undefined ? { name: fields.name } : {}),
      ...(fields.idea !== undefined ? { script: fields.idea } : {}),
      ...(fields.full_script !== undefined ? { fullScript: fields.full_script } : {}),
      ...(fields.settings
        ? { settings: sql`${projects.settings} || ${JSON.stringify(fields.settings)}::jsonb` }
        : {}),
      updatedAt: new Date(),
    })
    .where(and(eq(projects.id, id), ownedLive()))
    .returning();
  if (!row) throw projectNotFound(id);
  return row;
}
