import { afterAll, beforeAll } from "vitest";
import { resetConfig } from "../../core/config.ts";
import { useProviders } from "../../core/providers/index.ts";
import { type Emulators, startEmulators } from "../../functions/local/emulators.ts";
import { type TestApi, testApi } from "./app.ts";

export interface JobBench {
  api: TestApi;
  emulators: Emulators;
}

/**
 * The API over an in-memory database with the local DynamoDB and SQS, for suites that run jobs.
 * `settings` is asked for inside the first hook (after whatever fake it starts) and put into the
 * environment; the whole environment comes back afterwards. Registers its own hooks.
 */
export function jobBench(
  settings: () => Record<string, string> | Promise<Record<string, string>>,
): JobBench {
  const bench = {} as JobBench;
  const saved = { ...process.env };
  beforeAll(async () => {
    Object.assign(process.env, await settings());
    bench.emulators = await startEmulators();
    useProviders(undefined);
    bench.api = await testApi();
  });
  afterAll(async () => {
    process.env = saved;
    resetConfig();
    useProviders(undefined);
    await bench.emulators?.stop();
  });
  return bench;
}
