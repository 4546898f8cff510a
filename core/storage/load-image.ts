import { readFile } from "node:fs/promises";
import { config } from "../config.ts";
import { AppError } from "../errors.ts";
import { safeFetch } from "../net/safe-fetch.ts";
import type { ImageFile } from "../providers/types.ts";
import { localKeyOf, localPath } from "./local.ts";

const MIME_BY_EXT: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  gif: "image/gif",
};

/**
 * Loads an image by URL. Files in our own local storage are read from disk; every other URL
 * (including asset URLs users set themselves) goes through the SSRF-safe fetch. Clips and other
 * large files are streamed to disk instead (storage/download.ts).
 */
export async function loadImage(url: string): Promise<ImageFile> {
  const cfg = config();
  const key = localKeyOf(url, cfg);
  if (key !== undefined) {
    try {
      const bytes = new Uint8Array(await readFile(localPath(key, cfg)));
      const ext = key.split(".").pop()?.toLowerCase() ?? "";
      return { bytes, mimeType: MIME_BY_EXT[ext] ?? "image/png" };
    } catch {
      throw new AppError(400, "file_missing", `Stored file ${url} no longer exists`);
    }
  }
  const file = await safeFetch(url, {
    accept: "image",
    maxBytes: cfg.REMOTE_IMAGE_MAX_BYTES,
    timeoutMs: 15_000,
  });
  return { bytes: file.bytes, mimeType: file.contentType };
}

export const extensionOf = (mimeType: string) =>
  ({ "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif" })[mimeType] ?? "png";
