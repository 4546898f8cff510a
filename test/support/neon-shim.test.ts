import { NeonDbError, neon, neonConfig, Pool } from "@neondatabase/serverless";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/neon-http";
import { integer, pgTable, text } from "drizzle-orm/pg-core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type NeonShim, startNeonShim } from "./neon-shim.ts";

// The shim is only worth anything if the real driver, unmodified, accepts what it says.
let shim: NeonShim;
let url: string;

beforeAll(async () => {
  const server = new URL(inject("postgresUrl"));
  const admin = new pg.Client({ connectionString: server.toString() });
  await admin.connect();
  await admin.query("drop database if exists neon_shim");
  await admin.query("create database neon_shim");
  await admin.end();
  server.pathname = "/neon_shim";
  url = server.toString();

  shim = await startNeonShim(url);
  neonConfig.fetchEndpoint = shim.fetchEndpoint;
  neonConfig.wsProxy = shim.wsProxy;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  // The default pipelines a cleartext password before the server asks; trust auth never does.
  neonConfig.pipelineConnect = false;

  await neon(url)`create table people (id int primary key, name text not null unique)`;
}, 60_000);

afterAll(async () => {
  await shim?.stop();
});

describe("neon shim, SQL over HTTP", () => {
  it("returns Postgres text that the driver parses into JS types", async () => {
    const sql = neon(url);
    const at = new Date("2024-05-06T07:08:09.123Z");
    const [row] = await sql`
      select ${41}::int + 1 as n, ${'小猫 "q"'}::text as t, ${true}::bool as b,
        ${at}::timestamptz as at, ${JSON.stringify({ a: [1, { b: null }] })}::json as j,
        ${[1, 2, 3]}::int[] as ints, ${["a", "b,c", '"q"', "", null]}::text[] as texts,
        null::text as nothing`;
    expect(row).toEqual({
      n: 42,
      t: '小猫 "q"',
      b: true,
      at,
      j: { a: [1, { b: null }] },
      ints: [1, 2, 3],
      texts: ["a", "b,c", '"q"', "", null],
      nothing: null,
    });

    const full = await sql.query("select 1 as a, 2 as a", [], {
      fullResults: true,
      arrayMode: true,
    });
    expect(full).toMatchObject({ command: "SELECT", rowCount: 1, rows: [[1, 2]] });
    expect(full.fields.map((f) => [f.name, f.dataTypeID])).toEqual([
      ["a", 23],
      ["a", 23],
    ]);
  });

  it("runs transaction() in one round trip and rolls it back whole", async () => {
    const sql = neon(url);
    const before = { ...shim.stats };
    const [inserted, count] = await sql.transaction([
      sql`insert into people values (1, 'ada') returning name`,
      sql`select count(*)::int as n from people`,
    ]);
    expect(inserted).toEqual([{ name: "ada" }]);
    expect(count).toEqual([{ n: 1 }]);
    expect(shim.stats.httpRequests - before.httpRequests).toBe(1);
    expect(shim.stats.queries - before.queries).toBe(2);

    const mid = shim.stats.httpRequests;
    await expect(
      sql.transaction([
        sql`insert into people values (2, 'grace')`,
        sql`insert into people values (3, 'ada')`,
      ]),
    ).rejects.toMatchObject({ code: "23505" });
    expect(shim.stats.httpRequests - mid).toBe(1);
    expect(await sql`select id from people order by id`).toEqual([{ id: 1 }]);
  });

  it("applies transaction options through the batch headers", async () => {
    const sql = neon(url);
    const [settings] = await sql.transaction(
      [
        sql`select current_setting('transaction_isolation') as isolation,
          current_setting('transaction_read_only') as read_only,
          current_setting('transaction_deferrable') as deferrable`,
      ],
      { isolationLevel: "Serializable", readOnly: true, deferrable: true },
    );
    expect(settings).toEqual([{ isolation: "serializable", read_only: "on", deferrable: "on" }]);
  });

  it("keeps Postgres' error fields on the driver's error", async () => {
    const sql = neon(url);
    const error = await sql`insert into people values (1, 'again')`.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NeonDbError);
    expect(error).toMatchObject({
      code: "23505",
      constraint: "people_pkey",
      table: "people",
      severity: "ERROR",
      message: expect.stringContaining("duplicate key"),
    });
    // Neon prepares every statement, so several in one text fail as they would there.
    await expect(sql.query("select 1; select 2")).rejects.toMatchObject({ code: "42601" });
  });

  it("serves drizzle-orm/neon-http", async () => {
    const people = pgTable("people", { id: integer().primaryKey(), name: text().notNull() });
    const db = drizzle({ client: neon(url) });
    await db.insert(people).values({ id: 10, name: "lin" });
    expect(await db.select().from(people).where(eq(people.id, 10))).toEqual([
      { id: 10, name: "lin" },
    ]);
  });
});

describe("neon shim, WebSocket relay", () => {
  it("carries Pool queries and interactive transactions", async () => {
    const pool = new Pool({ connectionString: url });
    try {
      const { rows } = await pool.query("select $1::int + 1 as n", [41]);
      expect(rows).toEqual([{ n: 42 }]);

      const client = await pool.connect();
      try {
        await client.query("begin");
        await client.query("insert into people values (20, 'inside')");
        const seen = await client.query("select name from people where id = 20");
        expect(seen.rows).toEqual([{ name: "inside" }]);
        await client.query("rollback");
      } finally {
        client.release();
      }
      expect((await pool.query("select 1 from people where id = 20")).rowCount).toBe(0);
    } finally {
      await pool.end();
    }
  });
});
