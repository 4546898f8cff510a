import { sql } from "drizzle-orm";
import { afterAll, describe, expect, inject, it } from "vitest";
import { resetConfig } from "../core/config.ts";
import { database, useDatabase } from "../core/db/client.ts";
import { handler } from "./migrate.ts";

afterAll(async () => {
  await (await database()).close();
  useDatabase(undefined);
  delete process.env.DATABASE_URL;
  resetConfig();
});

describe("migration function", () => {
  it("migrates the configured Postgres database and is idempotent", async () => {
    const url = new URL(inject("postgresUrl"));
    const admin = new (await import("pg")).default.Client({ connectionString: url.toString() });
    await admin.connect();
    await admin.query("drop database if exists migrate_fn");
    await admin.query("create database migrate_fn");
    await admin.end();
    url.pathname = "/migrate_fn";
    process.env.DATABASE_URL = url.toString();
    resetConfig();
    useDatabase(undefined);

    expect(await handler()).toMatchObject({ migrated: true, driver: "pg" });
    expect(await handler()).toMatchObject({ migrated: true });
    const { db } = await database();
    const tables = await db.execute(
      sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`,
    );
    const rows = (tables as unknown as { rows: { table_name: string }[] }).rows;
    expect(rows.map((r) => r.table_name)).toEqual([
      "api_keys",
      "assets",
      "projects",
      "prompt_versions",
      "prompts",
      "spend",
      "storyboards",
      "versions",
    ]);
  });
});
