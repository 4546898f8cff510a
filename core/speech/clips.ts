import { and, asc, eq, inArray, type SQL, sql } from "drizzle-orm";
import { db } from "../db/client.ts";
import { assets, projects, storyboards, versions } from "../db/schema.ts";
import { liveProjectIds } from "../projects.ts";
import { settingsOf } from "../settings.ts";
import { isNarrationStale } from "../staleness.ts";
import type { NarrationClip, NarrationProvenance } from "./types.ts";

/**
 * The current narration clip of every shot of a project that has one, by storyboard id, in one
 * statement (shots, their clip versions, the project's narrator voice and its assets' voices).
 * A deleted or unknown project gives an empty map.
 */
export async function projectNarration(projectId: number): Promise<Map<number, NarrationClip>> {
  return clipsWhere(eq(storyboards.projectId, projectId));
}

/** One shot's current narration clip, or null when it has none. */
export async function narrationOf(storyboardId: number): Promise<NarrationClip | null> {
  return (await clipsWhere(eq(storyboards.id, storyboardId))).get(storyboardId) ?? null;
}

async function clipsWhere(which: SQL): Promise<Map<number, NarrationClip>> {
  const rows = await (await db())
    .select({
      storyboardId: storyboards.id,
      narration: storyboards.narration,
      dialogue: storyboards.dialogue,
      versionId: versions.id,
      url: versions.url,
      provenance: versions.provenance,
      inputs: versions.inputs,
      settings: projects.settings,
      voices: sql<
        { id: number; voice: string | null }[]
      >`(select coalesce(jsonb_agg(jsonb_build_object('id', ${assets.id}, 'voice', ${assets.voice})), '[]'::jsonb) from ${assets} where ${assets.projectId} = ${projects.id})`,
    })
    .from(storyboards)
    .innerJoin(versions, eq(versions.id, storyboards.narrationVersionId))
    .innerJoin(projects, eq(projects.id, storyboards.projectId))
    .where(and(which, inArray(storyboards.projectId, liveProjectIds())))
    .orderBy(asc(storyboards.position), asc(storyboards.id));
  const clips = new Map<number, NarrationClip>();
  for (const row of rows) {
    const made = row.provenance as Partial<NarrationProvenance> & {
      provider?: string;
      model?: string;
    };
    clips.set(row.storyboardId, {
      storyboard_id: row.storyboardId,
      version_id: row.versionId,
      url: row.url,
      duration_seconds: made.duration_seconds ?? 0,
      lines: made.lines ?? [],
      provider: made.provider ?? "unknown",
      model: made.model ?? "unknown",
      stale: isNarrationStale(row, row, row.voices, settingsOf(row.settings).voice),
    });
  }
  return clips;
}
