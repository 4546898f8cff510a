import { randomUUID } from "node:crypto";
import { copyFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { GenerateVideosOperation } from "@google/genai";
import type { VideoCheck } from "../types.ts";

/**
 * Reads a Veo operation the same way for every route: pending, failed (operation error, or every
 * sample filtered by safety checks, with the reasons), or done with a URI — or, when the provider
 * returned the video inline (Vertex without a GCS bucket), a temp file holding the bytes.
 */
export async function readVideosOperation(op: GenerateVideosOperation): Promise<VideoCheck> {
  if (!op.done) return { state: "pending" };
  if (op.error) {
    return {
      state: "failed",
      failure: "operation_failed",
      message: String(op.error.message ?? JSON.stringify(op.error)),
    };
  }
  const video = op.response?.generatedVideos?.[0]?.video;
  if ((op.response?.raiMediaFilteredCount ?? 0) > 0 || !(video?.uri || video?.videoBytes)) {
    return {
      state: "failed",
      failure: "blocked",
      message: "the video was filtered by the provider's safety checks",
      reasons: op.response?.raiMediaFilteredReasons ?? [],
    };
  }
  if (video.videoBytes) {
    const path = join(tmpdir(), `veo-${randomUUID()}.mp4`);
    await writeFile(path, Buffer.from(video.videoBytes, "base64"));
    return { state: "done", video: pathToFileURL(path).href };
  }
  return { state: "done", video: video.uri as string };
}

/** Moves an inline video written by readVideosOperation; false for any other reference. */
export async function takeInlineVideo(ref: string, destination: string): Promise<boolean> {
  if (!ref.startsWith("file:")) return false;
  const path = fileURLToPath(ref);
  await copyFile(path, destination);
  await rm(path, { force: true });
  return true;
}
