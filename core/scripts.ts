import { and, eq, isNull } from "drizzle-orm";
import { database } from "./db/client.ts";
import { type Asset, assets, projects } from "./db/schema.ts";
import { requireLiveProject } from "./projects.ts";
import { textProvider } from "./providers/text/index.ts";
import { recordSpend } from "./spend.ts";
import { SCRIPT_STEP, storedTemplateOf } from "./step-templates.ts";
import { renderTemplate } from "./templates.ts";

export interface GeneratedScript {
  full_script: string;
  assets: Asset[];
}

/**
 * Idea → full script and the assets it needs. The script and the new assets are written in one
 * atomic unit, so a failure never leaves a script without its assets or the reverse. Assets are
 * added to the project's existing ones: nothing the user made is thrown away. Without a template,
 * the step's stored one (or the built-in, stored on first use) is used.
 */
export async function generateScript(
  projectId: number,
  idea: string,
  template?: string,
): Promise<GeneratedScript> {
  // The project first: a request for one that is gone stores no built-in template.
  await requireLiveProject(projectId);
  const text = template ?? (await storedTemplateOf(SCRIPT_STEP)).prompt;
  const prompt = renderTemplate(text, { script_or_idea: idea });
  const llm = await textProvider();
  const draft = await llm.writeScript({ prompt, idea });
  await recordSpend(projectId, "llm", draft);
  const { full_script, assets: drafts } = draft.value;
  const db = await database();
  const updateScript = (d: typeof db.db) =>
    d
      .update(projects)
      .set({ fullScript: full_script })
      .where(and(eq(projects.id, projectId), isNull(projects.deletedAt)));
  if (drafts.length === 0) {
    await updateScript(db.db);
    return { full_script, assets: [] };
  }
  const [, inserted] = await db.atomic(
    (d) =>
      [
        updateScript(d),
        d
          .insert(assets)
          .values(
            drafts.map((a) => ({
              projectId,
              name: a.name,
              description: a.description,
              tags: a.tags,
            })),
          )
          .returning(),
      ] as const,
  );
  return { full_script, assets: inserted };
}
