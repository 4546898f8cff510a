import { inArray } from "drizzle-orm";
import { db } from "../db/client.ts";
import { type Storyboard, versions } from "../db/schema.ts";
import type { ClipInfo } from "../media/ffmpeg.ts";
import type { Transition } from "../media/timeline.ts";
import type { ProjectSettings } from "../settings.ts";

/**
 * The stream parameters stored with each shot's current video when it was made (shot-video.ts),
 * by storyboard id, in one query: the cut does not probe those clips again. Only a probe of the
 * very file the storyboard now shows counts; shots without one are probed at compose time.
 */
export async function storedProbes(
  boards: Pick<Storyboard, "id" | "videoVersionId" | "shotVideoUrl">[],
): Promise<Map<number, ClipInfo>> {
  const ids = boards.map((b) => b.videoVersionId).filter((id): id is number => id !== null);
  if (ids.length === 0) return new Map();
  const rows = await (await db())
    .select({ id: versions.id, url: versions.url, provenance: versions.provenance })
    .from(versions)
    .where(inArray(versions.id, ids));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const probes = new Map<number, ClipInfo>();
  for (const board of boards) {
    const row = board.videoVersionId ? byId.get(board.videoVersionId) : undefined;
    const media = (row?.provenance as { media?: ClipInfo } | undefined)?.media;
    if (row && row.url === board.shotVideoUrl && isClipInfo(media)) probes.set(board.id, media);
  }
  return probes;
}

const isClipInfo = (v: unknown): v is ClipInfo => {
  const c = v as ClipInfo | undefined;
  return (
    typeof c?.duration === "number" &&
    typeof c.video?.codec === "string" &&
    typeof c.video.width === "number" &&
    typeof c.video.frameRate === "string"
  );
};

/**
 * How the cut enters a shot: a shot's own fade or dissolve, else the project's transition. A
 * shot's `cut` is also every shot's default, so it gives way to the project's choice.
 */
export const transitionInto = (
  board: Pick<Storyboard, "transition">,
  settings: Pick<ProjectSettings, "transition">,
): Transition =>
  board.transition === "fade" || board.transition === "dissolve"
    ? board.transition
    : settings.transition;
