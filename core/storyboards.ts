import { and, eq } from "drizzle-orm";
import { db } from "./db/client.ts";
import { projects, type Storyboard, storyboards } from "./db/schema.ts";
import { AppError } from "./errors.ts";
import { ownedLive } from "./projects.ts";
import { isFrameStale, isVideoStale } from "./staleness.ts";

export const storyboardNotFound = (id: number) =>
  new AppError(404, "not_found", `分镜 ${id} 不存在`);

/** A storyboard whose project is live, or a 404. */
export async function requireLiveStoryboard(id: number): Promise<Storyboard> {
  const [row] = await (await db())
    .select({ storyboard: storyboards })
    .from(storyboards)
    .innerJoin(projects, eq(projects.id, storyboards.projectId))
    .where(and(eq(storyboards.id, id), ownedLive()));
  if (!row) throw storyboardNotFound(id);
  return row.storyboard;
}

/** A storyboard with whether its current frame and shot video still match their inputs. */
export type StoryboardState = Storyboard & { frameStale: boolean; videoStale: boolean };

/** One storyboard as the API shows it, staleness included (one read after the live check). */
export async function storyboardState(id: number): Promise<StoryboardState> {
  await requireLiveStoryboard(id);
  const row = await (await db()).query.storyboards.findFirst({
    where: eq(storyboards.id, id),
    with: {
      frameVersion: { columns: { inputs: true } },
      videoVersion: { columns: { inputs: true } },
      project: {
        columns: { id: true },
        with: { assets: { columns: { id: true, imageVersionId: true } } },
      },
    },
  });
  if (!row) throw storyboardNotFound(id);
  const { frameVersion, videoVersion, project, ...board } = row;
  return {
    ...board,
    frameStale: isFrameStale(board, frameVersion, project.assets),
    videoStale: isVideoStale(board, videoVersion),
  };
}
