import { readFile } from "node:fs/promises";
import { config } from "../config.ts";
import { AppError } from "../errors.ts";
import { safeFetch } from "../net/safe-fetch.ts";
import type { ImageFile } from "../providers/types.ts";
import { localKeyOf, localPath } from "./local.ts";

const MIME_BY_EXT: Record<string, string> = {
  mp4: "video/mp4",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  gif: "image/gif",
};

/**
 * Loads an image (or a clip) by URL. Files in our own local storage are read from disk;
 * every other URL (including asset URLs users set themselves) goes through the SSRF-safe fetch.
 */
export async function loadImage(url: string): Promise<ImageFile> {
  return loadMedia(url, "image");
}

/** Largest clip fetched for the final cut. */
const MAX_VIDEO_BYTES = 512 * 1024 * 1024;

export async function loadMedia(url: string, kind: "image" | "video"): Promise<ImageFile> {
  const cfg = config();
  const key = localKeyOf(url, cfg);
  if (key !== undefined) {
    try {
      const bytes = new Uint8Array(await readFile(localPath(key, cfg)));
      const ext = key.split(".").pop()?.toLowerCase() ?? "";
      return {
        bytes,
        mimeType: MIME_BY_EXT[ext] ?? (kind === "video" ? "video/mp4" : "image/png"),
      };
    } catch {
      throw new AppError(400, "file_missing", `Stored file ${url} no longer exists`);
    }
  }
  const file = await safeFetch(url, {
    accept: kind,
    maxBytes: kind === "video" ? MAX_VIDEO_BYTES : cfg.REMOTE_IMAGE_MAX_BYTES,
    timeoutMs: kind === "video" ? 120_000 : 15_000,
  });
  return { bytes: file.bytes, mimeType: file.contentType };
}

export const extensionOf = (mimeType: string) =>
  ({ "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif" })[mimeType] ?? "png";
