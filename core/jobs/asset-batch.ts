import { asc, eq } from "drizzle-orm";
import { generateAssetImage } from "../asset-images.ts";
import { mapLimit } from "../concurrency.ts";
import { config } from "../config.ts";
import { db } from "../db/client.ts";
import { assets } from "../db/schema.ts";
import { requireLiveProject } from "../projects.ts";
import { jobErrorOf, LeaseLost, type Outcome, type StepContext } from "./outcome.ts";
import type { Job } from "./types.ts";

/**
 * Draws every asset that has no image yet, a few at a time. One failure does not lose the others:
 * the result lists each asset's outcome. A redelivered message skips assets already drawn.
 */
export async function runAssetBatch(
  job: Job,
  report: (progress: number) => Promise<void>,
  step?: Pick<StepContext, "holdLease">,
): Promise<Outcome> {
  await requireLiveProject(job.project_id);
  const rows = await (await db())
    .select()
    .from(assets)
    .where(eq(assets.projectId, job.project_id))
    .orderBy(asc(assets.id));
  const todo = rows.filter((a) => !a.originalUrl);
  let finished = 0;
  const outcomes = await mapLimit(todo, config().ASSET_IMAGE_CONCURRENCY, async (asset) => {
    try {
      // A canceled batch draws nothing more (the lease is lost with the cancel).
      await step?.holdLease();
      const drawn = await generateAssetImage(asset.id, { jobId: job.job_id });
      return { asset_id: asset.id, status: "succeeded", original_url: drawn.originalUrl };
    } catch (error) {
      if (error instanceof LeaseLost) throw error;
      return { asset_id: asset.id, status: "failed", error: jobErrorOf(error) };
    } finally {
      finished++;
      await report(Math.round((finished / todo.length) * 95));
    }
  });
  return {
    kind: "done",
    result: {
      asset_ids: rows.map((a) => a.id),
      outcomes,
      failed: outcomes.filter((o) => o.status === "failed").length,
    },
  };
}
