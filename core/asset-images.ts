import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray } from "drizzle-orm";
import { assetNotFound } from "./assets.ts";
import { mapLimit } from "./concurrency.ts";
import { db } from "./db/client.ts";
import { type Asset, assets } from "./db/schema.ts";
import { checkUserUrls } from "./net/user-url.ts";
import { projectSettings } from "./project-settings.ts";
import { liveProjectIds, requireLiveProject } from "./projects.ts";
import { imageProvider } from "./providers/image/index.ts";
import { styledPrompt } from "./settings.ts";
import { costOf, recordSpend, settleJobSpend } from "./spend.ts";
import { storageProvider } from "./storage/index.ts";
import { extensionOf, loadImage } from "./storage/load-image.ts";
import { recordVersion } from "./versions.ts";

/** The image model gets the asset as a reference sheet: one subject, plain background. */
export const assetImagePrompt = (asset: Pick<Asset, "name" | "description" | "tags">) =>
  [
    `Reference image for a storyboard asset: ${asset.name}.`,
    asset.description,
    asset.tags.length ? `Tags: ${asset.tags.join(", ")}.` : "",
    "Show the whole subject clearly on a plain background, in a consistent cinematic style.",
  ]
    .filter(Boolean)
    .join("\n");

/**
 * Draws one asset's reference image, stores it, and points the asset at it. Inside a job, the
 * ledger row is the job's step for this asset, so a redelivered batch never adds a second one.
 */
export async function generateAssetImage(
  assetId: number,
  options: { jobId?: string } = {},
): Promise<Asset> {
  const [asset] = await (await db())
    .select()
    .from(assets)
    .where(and(eq(assets.id, assetId), inArray(assets.projectId, liveProjectIds())));
  if (!asset) throw assetNotFound(assetId);
  // A reference sheet is square whatever the film's shape, but drawn in the project's style.
  const settings = await projectSettings(asset.projectId);
  const prompt = styledPrompt(assetImagePrompt(asset), settings.style);
  const image = await imageProvider();
  const storage = await storageProvider();
  const generated = await image.generate({
    prompt,
    references: [],
    aspectRatio: "1:1",
    title: asset.name,
  });
  if (options.jobId) {
    await settleJobSpend({
      jobId: options.jobId,
      step: `asset_image:${asset.id}`,
      projectId: asset.projectId,
      kind: "image",
      provider: generated.provider,
      model: generated.model,
      units: { ...generated.usage, images: 1 },
    });
  } else {
    await recordSpend(asset.projectId, "image", generated, { images: 1 });
  }
  const key = `projects/${asset.projectId}/assets/${randomUUID()}.${extensionOf(generated.value.mimeType)}`;
  const url = await storage.put(key, generated.value.bytes, generated.value.mimeType);
  await recordVersion(
    {
      projectId: asset.projectId,
      assetId,
      kind: "image",
      url,
      source: "generated",
      provenance: {
        provider: generated.provider,
        model: generated.model,
        prompt,
        template: null,
        input_versions: {},
        style: settings.style,
        cost_usd: costOf("image", generated.provider, { images: 1 }),
        ...(options.jobId ? { job_id: options.jobId } : {}),
      },
    },
    {
      imageMeta: {
        provider: generated.provider,
        model: generated.model,
        prompt,
        previous_url: asset.originalUrl,
        generated_at: new Date().toISOString(),
      },
    },
  );
  const [row] = await (await db()).select().from(assets).where(eq(assets.id, assetId));
  if (!row) throw assetNotFound(assetId);
  return row;
}

/**
 * Legacy flow: the user uploaded images; each is fetched (SSRF-safe), described by the vision
 * model and stored as a new asset pointing at the original URL.
 */
export async function analyseAssetImages(projectId: number, urls: string[]): Promise<Asset[]> {
  await requireLiveProject(projectId);
  await checkUserUrls(urls, ["body", "asset_urls"]);
  const files = await mapLimit(urls, 4, (url) => loadImage(url));
  const image = await imageProvider();
  const drafts = await mapLimit(files, 4, async (file) => {
    const draft = await image.describe(file);
    await recordSpend(projectId, "vision", draft);
    return draft;
  });
  const created = await (await db())
    .insert(assets)
    .values(
      drafts.map((draft, i) => ({
        projectId,
        name: draft.value.name,
        description: draft.value.description,
        tags: draft.value.tags,
        originalUrl: urls[i] as string,
        imageMeta: { analysed_by: { provider: draft.provider, model: draft.model } },
      })),
    )
    .returning();
  // The user's image is the asset's first version, so later images can be rolled back to it.
  for (const [i, asset] of created.entries()) {
    await recordVersion({
      projectId,
      assetId: asset.id,
      kind: "image",
      url: asset.originalUrl as string,
      source: "uploaded",
      provenance: {
        analysed_by: { provider: drafts[i]?.provider, model: drafts[i]?.model },
      },
    });
  }
  return (await db())
    .select()
    .from(assets)
    .where(
      inArray(
        assets.id,
        created.map((a) => a.id),
      ),
    )
    .orderBy(asc(assets.id));
}
