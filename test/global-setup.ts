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
  // The web console as `npm start` serves it (test/console.test.ts drives it in a browser).
  await build({
    configFile: new URL("../console/vite.config.ts", import.meta.url).pathname,
    logLevel: "warn",
  });
  const postgres = await startPostgres();
  project.provide("postgresUrl", postgres.url);
  return () => postgres.stop();
}
