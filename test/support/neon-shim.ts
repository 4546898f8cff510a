import { createServer, type IncomingMessage } from "node:http";
import pg from "pg";

/**
 * A local stand-in for Neon's SQL-over-HTTP endpoint, in front of a real PostgreSQL server, so the
 * unmodified `@neondatabase/serverless` HTTP driver can be tested here. Protocol as the driver
 * speaks it (v1.2): POST `{query, params}` or `{queries: [...]}` (a transaction), the target in
 * the `Neon-Connection-String` header; rows come back as arrays of Postgres text values and the
 * driver runs its own type parsers; a failed statement is a 400 carrying Postgres' error fields.
 */
export interface NeonShim {
  /** Value for `neonConfig.fetchEndpoint` (or `NEON_HTTP_ENDPOINT`). */
  fetchEndpoint: string;
  stats: { httpRequests: number; queries: number };
  stop(): Promise<void>;
}

interface Statement {
  query: string;
  params?: unknown[];
}

const ERROR_FIELDS = [
  "severity",
  "code",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "where",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
] as const;

// Hand values back exactly as Postgres printed them.
const rawText = { getTypeParser: () => (value: string) => value };

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

export async function startNeonShim(): Promise<NeonShim> {
  const pools = new Map<string, pg.Pool>();
  const stats = { httpRequests: 0, queries: 0 };

  const poolFor = (connectionString: string) => {
    const url = new URL(connectionString);
    url.searchParams.delete("application_name");
    const key = url.toString();
    let pool = pools.get(key);
    if (!pool) {
      pool = new pg.Pool({ connectionString: key, max: 4 });
      pools.set(key, pool);
    }
    return pool;
  };

  const run = async (client: pg.PoolClient, { query, params = [] }: Statement) => {
    stats.queries++;
    const result = await client.query({
      text: query,
      values: params,
      rowMode: "array",
      types: rawText,
    });
    // A multi-statement text (migrations) yields one result per statement; Neon returns the last.
    const last = Array.isArray(result) ? (result.at(-1) as pg.QueryResult) : result;
    return {
      command: last.command,
      rowCount: last.rowCount,
      rows: last.rows,
      fields: (last.fields ?? []).map((f) => ({
        name: f.name,
        dataTypeID: f.dataTypeID,
        tableID: f.tableID,
        columnID: f.columnID,
        dataTypeSize: f.dataTypeSize,
        dataTypeModifier: f.dataTypeModifier,
        format: "text",
      })),
      rowAsArray: true,
    };
  };

  const server = createServer(async (req, res) => {
    stats.httpRequests++;
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const connectionString = req.headers["neon-connection-string"];
    if (req.method !== "POST" || typeof connectionString !== "string") {
      return reply(400, { message: "expected POST with Neon-Connection-String" });
    }
    const client = await poolFor(connectionString).connect();
    let inTransaction = false;
    try {
      const body = (await readJson(req)) as Statement | { queries: Statement[] };
      if ("queries" in body) {
        const isolation = req.headers["neon-batch-isolation-level"];
        const readOnly = req.headers["neon-batch-read-only"] === "true";
        await client.query(
          `begin${
            isolation
              ? ` isolation level ${String(isolation)
                  .replaceAll(/[^A-Za-z ]/g, "")
                  .toLowerCase()}`
              : ""
          }${readOnly ? " read only" : ""}`,
        );
        inTransaction = true;
        const results = [];
        for (const statement of body.queries) results.push(await run(client, statement));
        await client.query("commit");
        inTransaction = false;
        return reply(200, { results });
      }
      return reply(200, await run(client, body));
    } catch (error) {
      if (inTransaction) await client.query("rollback").catch(() => {});
      const e = error as Record<string, unknown> & Error;
      const fields = Object.fromEntries(ERROR_FIELDS.map((f) => [f, e[f]]));
      return reply(400, { message: e.message, ...fields });
    } finally {
      client.release();
    }
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    fetchEndpoint: `http://127.0.0.1:${port}/sql`,
    stats,
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...pools.values()].map((p) => p.end()));
    },
  };
}
