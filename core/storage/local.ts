import { randomBytes } from "node:crypto";
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { type Config, config } from "../config.ts";
import { AppError } from "../errors.ts";
import type { Storage } from "../providers/types.ts";

/** Local storage stands in for Qiniu: files under `DATA_DIR/files`, served at `/files/…`. */
export const LOCAL_BUCKET = "local";
export const LOCAL_ACCESS_KEY = "local";

export const filesDir = (cfg: Config = config()) => resolve(cfg.DATA_DIR, "files");

export const publicBaseUrl = (cfg: Config = config()) =>
  (
    cfg.PUBLIC_BASE_URL ?? `http://${cfg.HOST === "0.0.0.0" ? "127.0.0.1" : cfg.HOST}:${cfg.PORT}`
  ).replace(/\/+$/, "");

export const localFileUrl = (key: string, cfg: Config = config()) =>
  `${publicBaseUrl(cfg)}/files/${encodeURI(key)}`;

/** Keys are relative, slash-separated names; anything that could leave the files dir is refused. */
export function localPath(key: string, cfg: Config = config()): string {
  const root = filesDir(cfg);
  const path = resolve(root, key);
  // Dot segments would move a key out of the prefix its upload token was scoped to.
  const badSegment = key.split("/").some((part) => part === "" || part === "." || part === "..");
  const bad = !key || key.length > 512 || badSegment || key.includes("\\") || key.includes("\0");
  if (bad || !path.startsWith(root + sep)) {
    throw new AppError(422, "invalid_key", `Invalid storage key: ${JSON.stringify(key)}`);
  }
  return path;
}

export async function writeLocalFile(key: string, data: Uint8Array, cfg: Config = config()) {
  const path = localPath(key, cfg);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, data);
  return localFileUrl(key, cfg);
}

let secret: Promise<string> | undefined;

/** The secret local upload tokens are signed with, kept beside the data so restarts keep tokens valid. */
export function localUploadSecret(cfg: Config = config()): Promise<string> {
  secret ??= (async () => {
    const file = join(resolve(cfg.DATA_DIR), "local-upload-secret");
    try {
      return (await readFile(file, "utf8")).trim();
    } catch {
      const value = randomBytes(24).toString("hex");
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, value, { mode: 0o600 });
      return value;
    }
  })();
  return secret;
}

export function resetLocalUploadSecret(): void {
  secret = undefined;
}

/**
 * Copies a file into storage by the kernel, never through memory. It lands under a temporary
 * name first, so the public URL never serves half a file.
 */
export async function copyLocalFile(
  key: string,
  source: string,
  onProgress?: (sentBytes: number, totalBytes: number) => void,
  cfg: Config = config(),
) {
  const path = localPath(key, cfg);
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.${randomBytes(6).toString("hex")}.part`;
  try {
    await copyFile(source, partial);
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  const { size } = await stat(path);
  onProgress?.(size, size);
  return localFileUrl(key, cfg);
}

/** The Storage interface over local files, for running without Qiniu. */
export function localStorage(cfg: Config = config()): Storage {
  return {
    name: "local",
    put: (key, bytes) => writeLocalFile(key, bytes, cfg),
    putFile: (key, path, _mimeType, onProgress) => copyLocalFile(key, path, onProgress, cfg),
  };
}

/** The local file behind one of our own URLs, or undefined for any other URL. */
export function localKeyOf(url: string, cfg: Config = config()): string | undefined {
  const prefix = `${publicBaseUrl(cfg)}/files/`;
  return url.startsWith(prefix) ? decodeURI(url.slice(prefix.length)) : undefined;
}
