import { resetConfig } from "../../core/config.ts";
import { type Database, migrate, openDatabase, useDatabase } from "../../core/db/client.ts";
import { buildApp } from "../../functions/api/app.ts";
import { apiRoutes } from "../../functions/api/manifest.ts";

/** A migrated in-memory PGlite database, installed as the process-wide one. */
export async function memoryDatabase(onQuery?: (sql: string) => void): Promise<Database> {
  const database = await openDatabase({ driver: "pglite", onQuery });
  await migrate(database);
  useDatabase(database);
  return database;
}

export interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
  body: any;
  headers: Headers;
}

export async function readReply(res: Response): Promise<Reply> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // HTML or empty bodies stay text.
  }
  return { status: res.status, body, headers: res.headers };
}

/** The full route table in process over a fresh database; requests go through Hono's fetch. */
export async function testApi() {
  resetConfig();
  const queries: string[] = [];
  const database = await memoryDatabase((sql) => queries.push(sql));
  const app = buildApp(apiRoutes);
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> => {
    const init: RequestInit = { method, headers };
    if (body !== undefined) {
      init.body = typeof body === "string" ? body : JSON.stringify(body);
      init.headers = { "content-type": "application/json", ...headers };
    }
    return readReply(await app.request(path, init));
  };
  return { app, database, queries, call };
}

export type TestApi = Awaited<ReturnType<typeof testApi>>;
