import { and, eq } from "drizzle-orm";
import { db } from "./db/client.ts";
import { projects, type Storyboard, storyboards } from "./db/schema.ts";
import { AppError } from "./errors.ts";
import { ownedLive } from "./projects.ts";

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
