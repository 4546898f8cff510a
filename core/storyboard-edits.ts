import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { assetNotFound } from "./assets.ts";
import { database, db } from "./db/client.ts";
import { assets, projects, type Storyboard, storyboards } from "./db/schema.ts";
import { badRequest } from "./errors.ts";
import { checkUserUrl } from "./net/user-url.ts";
import { liveProjectIds, requireLiveProject } from "./projects.ts";
import { frameInputsOf } from "./staleness.ts";
import {
  requireLiveStoryboard,
  type StoryboardState,
  storyboardNotFound,
  storyboardState,
} from "./storyboards.ts";
import { recordVersion } from "./versions.ts";

/** A line spoken in a shot; the speaker is one of the project's assets (a character). */
export interface DialogueLine {
  speaker_asset_id: number;
  text: string;
}

/** The editable fields of a storyboard (CONTRACT, "Editing"); all optional in a PATCH. */
export interface StoryboardFields {
  frame_prompt?: string;
  shot_prompt?: string;
  frame_asset_ids?: number[];
  /** 1-based; on create, omitted appends. */
  position?: number;
  duration_seconds?: number | null;
  narration?: string | null;
  dialogue?: DialogueLine[];
  transition?: "cut" | "fade" | "dissolve";
  last_frame_url?: string | null;
}

/**
 * Asset ids used by a shot (references and speakers) must be the project's own: an id nobody may
 * see is a 404 as anywhere, one from another of the owner's projects is a 400.
 */
async function requireProjectAssets(projectId: number, ids: number[], what: string) {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return;
  const rows = await (await db())
    .select({ id: assets.id, projectId: assets.projectId })
    .from(assets)
    .where(and(inArray(assets.id, unique), inArray(assets.projectId, liveProjectIds())));
  const unknown = unique.find((id) => !rows.some((r) => r.id === id));
  if (unknown !== undefined) throw assetNotFound(unknown);
  const foreign = rows.filter((r) => r.projectId !== projectId).map((r) => r.id);
  if (foreign.length) {
    throw badRequest(
      what === "speaker" ? "speaker_not_in_project" : "asset_not_in_project",
      `素材 ${foreign.join(", ")} 不属于项目 ${projectId}`,
    );
  }
}

async function checkFields(projectId: number, fields: StoryboardFields) {
  await requireProjectAssets(projectId, fields.frame_asset_ids ?? [], "reference");
  await requireProjectAssets(
    projectId,
    (fields.dialogue ?? []).map((line) => line.speaker_asset_id),
    "speaker",
  );
  if (fields.last_frame_url) await checkUserUrl(fields.last_frame_url, ["body", "last_frame_url"]);
}

const columnsOf = (fields: StoryboardFields) => ({
  ...(fields.frame_prompt !== undefined ? { framePrompt: fields.frame_prompt } : {}),
  ...(fields.shot_prompt !== undefined ? { shotPrompt: fields.shot_prompt } : {}),
  ...(fields.frame_asset_ids !== undefined
    ? { frameAssetIds: [...new Set(fields.frame_asset_ids)] }
    : {}),
  ...(fields.duration_seconds !== undefined ? { durationSeconds: fields.duration_seconds } : {}),
  ...(fields.narration !== undefined ? { narration: fields.narration } : {}),
  ...(fields.dialogue !== undefined ? { dialogue: fields.dialogue } : {}),
  ...(fields.transition !== undefined ? { transition: fields.transition } : {}),
  ...(fields.last_frame_url !== undefined ? { lastFrameUrl: fields.last_frame_url } : {}),
});

async function shotCount(projectId: number): Promise<number> {
  const [row] = await (await db())
    .select({ n: sql<number>`count(*)::int` })
    .from(storyboards)
    .where(eq(storyboards.projectId, projectId));
  return Number(row?.n ?? 0);
}

function outOfRange(position: number, max: number) {
  return badRequest(
    "position_out_of_range",
    `position ${position} is out of range: this project's positions are 1 to ${max}`,
  );
}

/**
 * Positions 1..n with no gaps or ties, in the current order; the last statement of every write
 * that moves shots, so even racing edits leave a clean order.
 */
const renumber = (d: Awaited<ReturnType<typeof db>>, projectId: number) =>
  d.execute(sql`update ${storyboards} s set position = r.rn
    from (select id, row_number() over (order by position, id) as rn
          from ${storyboards} where project_id = ${projectId}) r
    where s.id = r.id and s.position <> r.rn`);

/** Every write below a project first locks its row, so edits of one project never interleave. */
const lockProject = (d: Awaited<ReturnType<typeof db>>, projectId: number) =>
  d.select({ id: projects.id }).from(projects).where(eq(projects.id, projectId)).for("update");

/** Adds a shot at `position` (1-based; omitted: at the end); later shots move down one. */
export async function createStoryboard(
  projectId: number,
  fields: StoryboardFields & { frame_prompt: string; shot_prompt: string },
): Promise<StoryboardState> {
  await requireLiveProject(projectId);
  await checkFields(projectId, fields);
  const count = await shotCount(projectId);
  const position = fields.position ?? count + 1;
  if (position < 1 || position > count + 1) throw outOfRange(position, count + 1);
  const [, , inserted] = await (await database()).atomic(
    (d) =>
      [
        lockProject(d, projectId),
        d
          .update(storyboards)
          .set({ position: sql`${storyboards.position} + 1` })
          .where(
            and(eq(storyboards.projectId, projectId), sql`${storyboards.position} >= ${position}`),
          ),
        d
          .insert(storyboards)
          .values({ projectId, position, ...columnsOf(fields) })
          .returning({ id: storyboards.id }),
        renumber(d, projectId),
      ] as const,
  );
  return storyboardState(inserted[0]?.id as number);
}

/** Changes a shot's fields; a new `position` moves it, the others closing ranks. */
export async function updateStoryboard(
  id: number,
  fields: StoryboardFields,
): Promise<StoryboardState> {
  const board = await requireLiveStoryboard(id);
  await checkFields(board.projectId, fields);
  const columns = columnsOf(fields);
  const move = fields.position !== undefined && fields.position !== board.position;
  if (move) {
    const count = await shotCount(board.projectId);
    const to = fields.position as number;
    if (to < 1 || to > count) throw outOfRange(to, count);
  }
  const to = fields.position as number;
  // Moving down: the shots in between move up by one, and the other way round.
  const shift =
    to > board.position ? sql`${storyboards.position} - 1` : sql`${storyboards.position} + 1`;
  const between =
    to > board.position
      ? sql`${storyboards.position} > ${board.position} and ${storyboards.position} <= ${to}`
      : sql`${storyboards.position} >= ${to} and ${storyboards.position} < ${board.position}`;
  await (await database()).atomic(
    (d) =>
      [
        lockProject(d, board.projectId),
        ...(move
          ? [
              d
                .update(storyboards)
                .set({ position: shift })
                .where(and(eq(storyboards.projectId, board.projectId), between)),
            ]
          : []),
        d
          .update(storyboards)
          .set({ ...columns, ...(move ? { position: to } : {}), updatedAt: new Date() })
          .where(eq(storyboards.id, id)),
        renumber(d, board.projectId),
      ] as const,
  );
  return storyboardState(id);
}

/** Removes a shot (its versions go with it); the shots after it move up. */
export async function deleteStoryboard(id: number): Promise<void> {
  const board = await requireLiveStoryboard(id);
  const [, deleted] = await (await database()).atomic(
    (d) =>
      [
        lockProject(d, board.projectId),
        d.delete(storyboards).where(eq(storyboards.id, id)).returning({ id: storyboards.id }),
        renumber(d, board.projectId),
      ] as const,
  );
  if (deleted.length === 0) throw storyboardNotFound(id);
}

/** Puts the project's shots in the given order: exactly a permutation of its storyboards. */
export async function reorderStoryboards(projectId: number, ids: number[]): Promise<Storyboard[]> {
  await requireLiveProject(projectId);
  const current = await (await db())
    .select({ id: storyboards.id })
    .from(storyboards)
    .where(eq(storyboards.projectId, projectId));
  const have = new Set(current.map((r) => r.id));
  const permutation =
    ids.length === have.size && new Set(ids).size === ids.length && ids.every((i) => have.has(i));
  if (!permutation) {
    throw badRequest(
      "not_a_permutation",
      `storyboard_ids must list each of project ${projectId}'s ${have.size} storyboards exactly once`,
    );
  }
  if (ids.length > 0) {
    const cases = sql.join(
      ids.map((sid, i) => sql`when ${sid}::int then ${i + 1}::int`),
      sql` `,
    );
    await (await database()).atomic(
      (d) =>
        [
          lockProject(d, projectId),
          d
            .update(storyboards)
            .set({ position: sql`case ${storyboards.id} ${cases} end` })
            .where(and(eq(storyboards.projectId, projectId), inArray(storyboards.id, ids))),
          renumber(d, projectId),
        ] as const,
    );
  }
  return (await db())
    .select()
    .from(storyboards)
    .where(eq(storyboards.projectId, projectId))
    .orderBy(asc(storyboards.position), asc(storyboards.id));
}

/** A first frame the user supplies (already in storage): a version of source `uploaded`. */
export async function setStoryboardFrame(id: number, imageUrl: string): Promise<StoryboardState> {
  const board = await requireLiveStoryboard(id);
  await checkUserUrl(imageUrl, ["body", "image_url"]);
  const refs = board.frameAssetIds.length
    ? await (await db())
        .select({ id: assets.id, imageVersionId: assets.imageVersionId })
        .from(assets)
        .where(inArray(assets.id, board.frameAssetIds))
    : [];
  await recordVersion({
    projectId: board.projectId,
    storyboardId: id,
    kind: "frame",
    url: imageUrl,
    source: "uploaded",
    provenance: { previous_version_id: board.frameVersionId },
    inputs: frameInputsOf(board, refs),
  });
  return storyboardState(id);
}
