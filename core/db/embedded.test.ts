import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type SharedEmbedded, shareEmbedded } from "./embedded.ts";

let pglite: PGlite;
let shared: SharedEmbedded;
let turns = 0;
const clients: pg.Client[] = [];

async function connect(url = shared.url) {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {}); // the broker may cut it off; the test checks what follows
  clients.push(client);
  await client.connect();
  return client;
}

const ids = async () => (await pglite.query<{ id: number }>("select id from t order by id")).rows;

beforeAll(async () => {
  pglite = await PGlite.create();
  await pglite.exec("create table t (id int)");
  shared = await shareEmbedded(pglite, { afterClientTurn: () => turns++, turnIdleMs: 300 });
});
beforeEach(async () => {
  await pglite.exec("delete from t");
  turns = 0;
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.end().catch(() => {})));
});
afterAll(async () => {
  await shared.close();
  await pglite.close();
});

describe("embedded database shared over a local socket", () => {
  it("keeps the server's own writes out of a client's open transaction", async () => {
    const client = await connect();
    await client.query("begin");
    await client.query("insert into t values (1)");
    let serverDone = false;
    const serverWrite = pglite.query("insert into t values (2)").then(() => {
      serverDone = true;
    });
    // The client still gets answers while the server's statement waits for its turn.
    expect((await client.query("select count(*)::int as n from t")).rows).toEqual([{ n: 1 }]);
    expect(serverDone).toBe(false);
    await client.query("rollback");
    await serverWrite;
    expect(await ids()).toEqual([{ id: 2 }]);
  });

  it("keeps concurrent clients and the server from answering each other's statements", async () => {
    const [a, b] = [await connect(), await connect()];
    const run = async (
      tag: string,
      query: (sql: string, values: unknown[]) => Promise<unknown>,
    ) => {
      const mixed: number[] = [];
      for (let i = 0; i < 60; i++) {
        const rows = (await query(`select $1::text as v, $2::int as n, '${tag}' as w`, [
          tag,
          i,
        ])) as {
          v: string;
          n: number;
          w: string;
        }[];
        if (rows[0]?.v !== tag || rows[0]?.w !== tag || rows[0]?.n !== i) mixed.push(i);
      }
      return mixed;
    };
    const results = await Promise.all([
      run("a", async (sql, values) => (await a.query(sql, values)).rows),
      run("b", async (sql, values) => (await b.query(sql, values)).rows),
      run("server", async (sql, values) => (await pglite.query(sql, values)).rows),
    ]);
    expect(results).toEqual([[], [], []]);
    expect(turns).toBeGreaterThanOrEqual(120);
  });

  it("rolls back what a client left open when it disconnects", async () => {
    const client = await connect();
    await client.query("begin");
    await client.query("insert into t values (3)");
    await new Promise<void>((resolve) => {
      const stream = (client as unknown as { connection: { stream: import("node:net").Socket } })
        .connection.stream;
      stream.once("close", () => resolve());
      stream.destroy();
    });
    await pglite.query("insert into t values (4)");
    expect(await ids()).toEqual([{ id: 4 }]);
    expect(pglite.isInTransaction()).toBe(false);
  });

  it("cuts off a client that holds its turn and goes quiet, undoing its work", async () => {
    const client = await connect();
    await client.query("begin");
    await client.query("insert into t values (5)");
    const ended = new Promise((resolve) => client.once("end", resolve));
    await pglite.query("insert into t values (6)"); // waits for the client's idle limit
    await ended;
    expect(await ids()).toEqual([{ id: 6 }]);
  });

  it("refuses a client without this run's password", async () => {
    const url = new URL(shared.url);
    url.password = "guess";
    await expect(connect(url.toString())).rejects.toThrow(/password authentication failed/);
    expect(turns).toBe(0);
  });
});
