import { and, eq } from "drizzle-orm";
import { db } from "./db/client.ts";
import { projects } from "./db/schema.ts";
import { ownedLive, projectNotFound } from "./projects.ts";
import { type ProjectSettings, settingsOf } from "./settings.ts";

/** A project's settings with the defaults filled in (a deleted or foreign project is a 404). */
export async function projectSettings(projectId: number): Promise<ProjectSettings> {
  const [row] = await (await db())
    .select({ settings: projects.settings })
    .from(projects)
    .where(and(eq(projects.id, projectId), ownedLive()));
  if (!row) throw projectNotFound(projectId);
  return settingsOf(row.settings);
}
