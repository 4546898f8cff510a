import { randomUUID } from "node:crypto";
import { and, eq, inArray } from "drizzle-orm";
import { assetNotFound } from "./assets.ts";
import { mapLimit } from "./concurrency.ts";
import { db } from "./db/client.ts";
import { assets, type Storyboard } from "./db/schema.ts";
import { badRequest } from "./errors.ts";
import { checkUserUrl } from "./net/user-url.ts";
import { projectSettings } from "./project-settings.ts";
import { liveProjectIds } from "./projects.ts";
import { imageProvider } from "./providers/image/index.ts";
import type { Generated, ImageFile } from "./providers/types.ts";
import type { SafetyRewriter } from "./safety-rewrite.ts";
import { styledPrompt } from "./settings.ts";
import { costOf, recordSpend } from "./spend.ts";
import { frameInputsOf } from "./staleness.ts";
import { storageProvider } from "./storage/index.ts";
import { extensionOf, loadImage } from "./storage/load-image.ts";
import { requireLiveStoryboard, type StoryboardState, storyboardState } from "./storyboards.ts";
import { recordVersion } from "./versions.ts";

const GUIDE_INSTRUCTION =
  "Revise the first image, the current first frame of this shot, following the rough sketch in the second image. " +
  "Keep the characters, style, palette and setting of the first image; take composition, poses and positions from the sketch.";

async function storeFrame(board: Storyboard, image: Generated<ImageFile>) {
  await recordSpend(board.projectId, "image", image, { images: 1 });
  const storage = await storageProvider();
  const key = `projects/${board.projectId}/frames/${randomUUID()}.${extensionOf(image.value.mimeType)}`;
  return storage.put(key, image.value.bytes, image.value.mimeType);
}

export interface FrameOptions {
  source?: "generated" | "regenerated";
  /** A new shot prompt written in the same transaction as the frame (regenerate). */
  shotPrompt?: string;
  /** More provenance for the frame's version (e.g. the rewrite that led to it). */
  provenance?: Record<string, unknown>;
  /** Asked right before the frame is recorded: false keeps it in the history without making it
   * current (a render canceled while the image was being drawn). */
  current?: () => Promise<boolean>;
  /**
   * The render passes `drawWithSafetyRewrite` (core/safety-rewrite.ts): a refused prompt is
   * rewritten once by the LLM and drawn again. Handed in, not imported, so that the interactive
   * frame routes never reach the LLM.
   */
  safetyRewrite?: SafetyRewriter;
}

/**
 * Draws a shot's first frame from its prompt and the referenced assets' images. The asset ids
 * must belong to the storyboard's project and have images; their images load in parallel.
 */
export async function generateFrame(
  storyboardId: number,
  framePrompt: string,
  assetIds: number[],
  options: FrameOptions = {},
): Promise<StoryboardState> {
  const { source = "generated" } = options;
  const board = await requireLiveStoryboard(storyboardId);
  const ids = [...new Set(assetIds)];
  const rows = ids.length
    ? await (await db())
        .select()
        .from(assets)
        .where(and(inArray(assets.id, ids), eq(assets.projectId, board.projectId)))
    : [];
  const foreign = ids.filter((id) => !rows.some((a) => a.id === id));
  if (foreign.length) {
    // Ids the caller cannot see at all (missing, or another owner's) are unknown: 404, as anywhere.
    const visible = await (await db())
      .select({ id: assets.id })
      .from(assets)
      .where(and(inArray(assets.id, foreign), inArray(assets.projectId, liveProjectIds())));
    const unknown = foreign.find((id) => !visible.some((a) => a.id === id));
    if (unknown !== undefined) throw assetNotFound(unknown);
    throw badRequest(
      "asset_not_in_project",
      `素材 ${foreign.join(", ")} 不属于项目 ${board.projectId}`,
    );
  }
  const ordered = ids.map((id) => rows.find((a) => a.id === id) as (typeof rows)[number]);
  const withoutImage = ordered.filter((a) => !a.originalUrl);
  if (withoutImage.length) {
    throw badRequest(
      "assets_without_images",
      `以下素材还没有图片: ${withoutImage.map((a) => `${a.name} (${a.id})`).join(", ")}`,
    );
  }
  const referenceUrls = ordered.map((a) => a.originalUrl as string);
  const [references, settings] = await Promise.all([
    mapLimit(referenceUrls, 6, (url) => loadImage(url)),
    projectSettings(board.projectId),
  ]);
  const aspectRatio = settings.aspect_ratio;
  const image = await imageProvider();
  const draw = (text: string) =>
    image.generate({
      prompt: styledPrompt(text, settings.style),
      references,
      aspectRatio,
      title: `Shot ${board.position}`,
    });
  // The render rewrites a refused prompt once: the shot keeps the user's prompt; the one sent is
  // in the provenance.
  const drawn = options.safetyRewrite
    ? await options.safetyRewrite(
        { storyboardId: board.id, kind: "frame", prompt: framePrompt },
        draw,
      )
    : { value: await draw(framePrompt), prompt: framePrompt, rewrite: undefined };
  const generated = drawn.value;
  // The project's shape and style, recorded with the frame as sent.
  const prompt = styledPrompt(drawn.prompt, settings.style);
  const url = await storeFrame(board, generated);
  const inputs = frameInputsOf({ framePrompt, frameAssetIds: ids }, ordered);
  await recordVersion(
    {
      projectId: board.projectId,
      storyboardId: board.id,
      kind: "frame",
      url,
      source,
      provenance: {
        ...provenanceOf(generated),
        prompt,
        template: null,
        input_versions: { asset_images: inputs.asset_image_versions },
        reference_urls: referenceUrls,
        aspect_ratio: aspectRatio,
        style: settings.style,
        ...(drawn.rewrite ? { safety_rewrite: drawn.rewrite } : {}),
        ...options.provenance,
      },
      inputs,
    },
    {
      framePrompt,
      frameAssetIds: ids,
      ...(options.shotPrompt !== undefined ? { shotPrompt: options.shotPrompt } : {}),
      frameMeta: {
        provider: generated.provider,
        model: generated.model,
        prompt,
        reference_urls: referenceUrls,
        aspect_ratio: aspectRatio,
        previous_frame_url: board.frameImageUrl,
        generated_at: new Date().toISOString(),
      },
    },
    { keepPointer: options.current ? !(await options.current()) : false },
  );
  return storyboardState(board.id);
}

/** Revises the current first frame from a user's guide sketch. */
export async function guideFrame(storyboardId: number, guideUrl: string): Promise<StoryboardState> {
  const board = await requireLiveStoryboard(storyboardId);
  if (!board.frameImageUrl) {
    throw badRequest("frame_missing", `分镜 ${storyboardId} 还没有首帧图，请先生成首帧图`);
  }
  await checkUserUrl(guideUrl, ["body", "guide_image_url"]);
  const [current, guide, settings] = await Promise.all([
    loadImage(board.frameImageUrl),
    loadImage(guideUrl),
    projectSettings(board.projectId),
  ]);
  const prompt = styledPrompt(`${GUIDE_INSTRUCTION}\nShot: ${board.framePrompt}`, settings.style);
  const aspectRatio = settings.aspect_ratio;
  const image = await imageProvider();
  const generated = await image.generate({
    prompt,
    references: [current, guide],
    aspectRatio,
    title: `Shot ${board.position} (guided)`,
  });
  const url = await storeFrame(board, generated);
  const refs = board.frameAssetIds.length
    ? await (await db())
        .select({ id: assets.id, imageVersionId: assets.imageVersionId })
        .from(assets)
        .where(inArray(assets.id, board.frameAssetIds))
    : [];
  await recordVersion(
    {
      projectId: board.projectId,
      storyboardId: board.id,
      kind: "frame",
      url,
      source: "guided",
      provenance: {
        ...provenanceOf(generated),
        prompt,
        template: null,
        input_versions: { frame: board.frameVersionId, guide_image_url: guideUrl },
        aspect_ratio: aspectRatio,
        style: settings.style,
      },
      // A guided frame answers to the same prompt and assets as the frame it revises.
      inputs: frameInputsOf(board, refs),
    },
    {
      frameMeta: {
        provider: generated.provider,
        model: generated.model,
        prompt,
        reference_urls: [board.frameImageUrl, guideUrl],
        guide_image_url: guideUrl,
        previous_frame_url: board.frameImageUrl,
        aspect_ratio: aspectRatio,
        generated_at: new Date().toISOString(),
      },
    },
  );
  return storyboardState(board.id);
}

/** Model, provider and estimated cost of a generated image, for its version's provenance. */
const provenanceOf = (generated: Generated<ImageFile>) => ({
  provider: generated.provider,
  model: generated.model,
  cost_usd: costOf("image", generated.provider, { images: 1 }),
});
