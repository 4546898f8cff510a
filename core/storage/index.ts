import type { Config } from "../config.ts";
import { sharedProvider } from "../providers/installed.ts";
import type { Storage } from "../providers/types.ts";

/**
 * Where generated files go: Qiniu with keys, local files otherwise. The `qiniu` SDK (with urllib
 * and iconv-lite, ~0.8 MB) loads only when a file is stored.
 */
export async function createStorage(cfg: Config): Promise<Storage> {
  return cfg.offline.storage
    ? (await import("./local.ts")).localStorage(cfg)
    : (await import("./qiniu.ts")).qiniuStorage(cfg);
}

export const storageProvider = (): Promise<Storage> => sharedProvider("storage", createStorage);
