import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { copyFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { GenerateVideosOperation } from "@google/genai";
import { failureOfStatus, ProviderError } from "../errors.ts";
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

/** Where the Gemini API's own file links point, whatever base URL the client was given. */
export const GEMINI_ORIGIN = "https://generativelanguage.googleapis.com";

/**
 * A Gemini file link fetched through the configured base URL: behind a relay (GEMINI_BASE_URL),
 * often the only way to reach Google from the user's network, `https://generativelanguage.
 * googleapis.com/v1beta/files/…` becomes `<base>/v1beta/files/…`. Other links stay as they are.
 */
export function throughBase(link: string, base: string): string {
  const url = new URL(link);
  if (url.origin !== GEMINI_ORIGIN || base.replace(/\/+$/, "") === GEMINI_ORIGIN) return link;
  return `${base.replace(/\/+$/, "")}${url.pathname}${url.search}`;
}

/** Whether a URL is on the base URL's origin or Google's (the only places a key may go). */
export function sameOrigin(link: string, base: string): boolean {
  const origin = new URL(link).origin;
  return origin === new URL(base).origin || origin === GEMINI_ORIGIN;
}

/** Veo clips are a few MB; anything far larger is not a clip. */
const MAX_VIDEO_BYTES = 512 * 1024 * 1024;

/** The provider's own words from an error reply (Google's `error.message`, else the text). */
async function reasonOf(res: Response): Promise<string> {
  const text = (await res.text().catch(() => "")).slice(0, 2000);
  if (!text) return "";
  try {
    const message = (JSON.parse(text) as { error?: { message?: string } }).error?.message;
    if (message) return ` (${message})`;
  } catch {
    // Not JSON: the text itself is the reason.
  }
  return ` (${text.slice(0, 200)})`;
}

/** Streams a provider's finished video to a file, bounded in size, failures typed. */
export async function fetchVideo(
  provider: string,
  url: string,
  headers: Record<string, string>,
  destination: string,
) {
  const res = await fetch(url, { headers, redirect: "follow" });
  if (!res.ok || !res.body) {
    throw new ProviderError(
      provider,
      failureOfStatus(res.status),
      `download failed: HTTP ${res.status}${await reasonOf(res)}`,
    );
  }
  let size = 0;
  const counted = Readable.fromWeb(res.body as never).on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_VIDEO_BYTES)
      counted.destroy(new ProviderError(provider, "invalid_output", "video too large"));
  });
  await pipeline(counted, createWriteStream(destination));
}
