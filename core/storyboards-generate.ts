// Kept apart from core/storyboards.ts, which CRUD routes load: their Lambdas never reach the LLM.
import { and, asc, eq, isNull } from "drizzle-orm";
import { database, db } from "./db/client.ts";
import { assets, projects, type Storyboard, storyboards } from "./db/schema.ts";
import { badRequest } from "./errors.ts";
import { log } from "./log.ts";
import { projectNotFound, requireLiveProject } from "./projects.ts";
import { textProvider } from "./providers/text/index.ts";
import { recordSpend } from "./spend.ts";
import { STORYBOARDS_STEP, storedTemplateOf } from "./step-templates.ts";
import { renderTemplate } from "./templates.ts";

/**
 * Script + the project's assets → an ordered list of shots. Every asset needs an image first (the
 * frames are drawn from them). Asset ids the LLM invents are dropped, not stored: a frame can only
 * reference the project's own assets; the dropped ids are kept in `prompt_used` for inspection.
 * The new storyboards replace the project's previous ones in one atomic unit. Without a template,
 * the step's stored one (or the built-in, stored on first use) is used, as a render does.
 */
export async function generateStoryboards(
  projectId: number,
  script: string,
  sentTemplate?: string,
): Promise<Storyboard[]> {
  await requireLiveProject(projectId);
  const rows = await (await db())
    .select()
    .from(assets)
    .where(eq(assets.projectId, projectId))
    .orderBy(asc(assets.id));
  if (rows.length === 0) {
    throw badRequest("no_assets", `项目 ${projectId} 还没有素材：请先生成剧本或添加素材`);
  }
  const withoutImage = rows.filter((a) => !a.originalUrl);
  if (withoutImage.length > 0) {
    throw badRequest(
      "assets_without_images",
      `以下素材还没有图片: ${withoutImage.map((a) => `${a.name} (${a.id})`).join(", ")}`,
    );
  }
  const briefs = rows.map((a) => ({
    id: a.id,
    name: a.name,
    description: a.description,
    tags: a.tags,
  }));
  const template = sentTemplate ?? (await storedTemplateOf(STORYBOARDS_STEP)).prompt;
  const prompt = renderTemplate(template, {
    materials_description: JSON.stringify(briefs, null, 2),
    script,
  });
  const text = await textProvider();
  const plan = await text.planStoryboards({ prompt, script, assets: briefs });
  await recordSpend(projectId, "llm", plan);

  const known = new Set(rows.map((a) => a.id));
  const dropped = [
    ...new Set(plan.value.flatMap((s) => s.frame_asset_ids.filter((id) => !known.has(id)))),
  ];
  if (dropped.length) log.warn("llm referenced unknown assets; dropped", { projectId, dropped });
  const shots = plan.value.map((shot, index) => ({
    projectId,
    position: index + 1,
    framePrompt: shot.frame_prompt,
    frameAssetIds: [...new Set(shot.frame_asset_ids.filter((id) => known.has(id)))],
    shotPrompt: shot.shot_prompt,
  }));
  const promptUsed = {
    step: STORYBOARDS_STEP,
    template,
    provider: plan.provider,
    model: plan.model,
    usage: plan.usage,
    dropped_asset_ids: dropped,
    generated_at: new Date().toISOString(),
  };
  const [, , inserted] = await (await database()).atomic(
    (d) =>
      [
        d
          .update(projects)
          .set({ script, promptUsed })
          .where(and(eq(projects.id, projectId), isNull(projects.deletedAt))),
        d.delete(storyboards).where(eq(storyboards.projectId, projectId)),
        d.insert(storyboards).values(shots).returning(),
      ] as const,
  );
  if (!inserted) throw projectNotFound(projectId);
  return inserted;
}
