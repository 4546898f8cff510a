import pg from "pg";
import { inject } from "vitest";
import { resetConfig } from "../../core/config.ts";
import { type Database, type DriverName, openDatabase } from "../../core/db/client.ts";
import { startNeonShim } from "./neon-shim.ts";

/** A fresh database on the shared test server, so suites never see each other's rows. */
export async function freshDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: inject("postgresUrl") });
  await admin.connect();
  await admin.query(`drop database if exists ${name}`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(inject("postgresUrl"));
  url.pathname = `/${name}`;
  return url.toString();
}

export interface Harness {
  database: Database;
  /** Network round trips to the database so far (statements for in-process PGlite). */
  roundTrips(): number;
  stop(): Promise<void>;
}

export const harnesses: Record<DriverName, (name?: string) => Promise<Harness>> = {
  async pglite() {
    let statements = 0;
    const database = await openDatabase({ driver: "pglite", onQuery: () => statements++ });
    return { database, roundTrips: () => statements, stop: () => database.close() };
  },
  async pg(name = "drivers") {
    let statements = 0;
    const url = await freshDatabase(`${name}_pg`);
    const database = await openDatabase({ driver: "pg", url, onQuery: () => statements++ });
    return { database, roundTrips: () => statements, stop: () => database.close() };
  },
  async neon(name = "drivers") {
    const url = await freshDatabase(`${name}_neon`);
    const shim = await startNeonShim(url);
    process.env.NEON_HTTP_ENDPOINT = shim.fetchEndpoint;
    resetConfig();
    const database = await openDatabase({ driver: "neon", url });
    return {
      database,
      roundTrips: () => shim.stats.httpRequests,
      stop: async () => {
        await database.close();
        await shim.stop();
        delete process.env.NEON_HTTP_ENDPOINT;
        resetConfig();
      },
    };
  },
};
