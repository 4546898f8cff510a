import { build } from "vite";
import type { TestProject } from "vitest/node";
import { startPostgres } from "./support/postgres.ts";

declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

/** One real PostgreSQL server for the whole run; suites create their own databases in it. */
export default async function setup(project: TestProject) {
  // The web console as `npm start` builds and serves it (test/console*.test.ts drive it in a
  // browser). vitest runs with NODE_ENV=test, which would give a development
  // JSX build (file names and line numbers inside), not the one users get.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({
      configFile: new URL("../console/vite.config.ts", import.meta.url).pathname,
      logLevel: "warn",
    });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  const postgres = await startPostgres();
  project.provide("postgresUrl", postgres.url);
  return () => postgres.stop();
}
