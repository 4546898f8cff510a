import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { resetConfig } from "../../core/config.ts";
import { database, useDatabase } from "../../core/db/client.ts";
import { resetLocalUploadSecret } from "../../core/storage/local.ts";
import { type LocalServer, startLocalServer } from "../../functions/local/server.ts";

/** A real 1×1 PNG: the smallest image a person could upload. */
export const TINY_PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==",
  "base64",
);

export interface LocalStackOptions {
  /** How long an offline shot video takes: long enough to see progress, short for a quick test. */
  videoDelayMs?: number;
  /** More settings for this suite, e.g. a small upload limit. */
  env?: Record<string, string>;
}

export interface LocalStack {
  server: LocalServer;
  url: string;
  /** This suite's own data directory: embedded database, uploads, generated files. */
  dataDir: string;
}

/**
 * The whole local stack as `npm start` runs it (embedded database under its own data directory,
 * offline providers, real jobs, local storage), on a free port, for one suite: started before its
 * tests, closed after them. Videos are one second long and polled every second, so a suite that
 * makes them stays quick. The returned object is filled in once the server is up.
 */
export function useLocalStack(name: string, options: LocalStackOptions = {}): LocalStack {
  const stack = { dataDir: mkdtempSync(join(tmpdir(), `storyboard-${name}-`)) } as LocalStack;
  beforeAll(async () => {
    Object.assign(process.env, {
      DATA_DIR: stack.dataDir,
      OFFLINE_VIDEO_DELAY_MS: String(options.videoDelayMs ?? 200),
      VIDEO_POLL_SECONDS: "1",
      VIDEO_SECONDS: "1",
      ...options.env,
    });
    // Settings and the upload secret are read once per process: read them again for this suite.
    resetConfig();
    resetLocalUploadSecret();
    useDatabase(undefined);
    stack.server = await startLocalServer(0);
    stack.url = stack.server.url;
  });
  afterAll(async () => {
    await stack.server?.close();
    await (await database()).close();
  });
  return stack;
}
