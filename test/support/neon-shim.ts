import { createServer, type IncomingMessage } from "node:http";
import { connect, type Socket } from "node:net";
import pg from "pg";
import { WebSocketServer } from "ws";

/**
 * A local stand-in for Neon's proxy in front of a real PostgreSQL server, so the unmodified
 * `@neondatabase/serverless` driver (v1.2) can be tested against it:
 *
 * - SQL over HTTP (`neon()`): POST `/sql` with `{query, params}`, or `{queries: [...]}` for
 *   `transaction()`, run in one transaction. The connection string travels in the
 *   `Neon-Connection-String` header; rows come back as Postgres text so the driver runs its own
 *   type parsers; a failed statement is a 400 carrying Postgres' error fields.
 * - WebSockets (`Pool`, `Client`): `/v2` relays the Postgres wire protocol to the server's port.
 *
 * Every connection goes to `pgUrl`'s host and port whatever host the client's connection string
 * names (the real proxy routes by that host); user, password and database are the client's.
 */
export interface NeonShim {
  /** Value for `neonConfig.fetchEndpoint`. */
  fetchEndpoint: string;
  /** Value for `neonConfig.wsProxy`; the driver appends `?address=<host>:<port>`. */
  wsProxy: string;
  /** `httpRequests`: SQL-over-HTTP round trips. `queries`: statements run over HTTP. */
  stats: { httpRequests: number; queries: number };
  stop(): Promise<void>;
}

interface Statement {
  query: string;
  params?: unknown[];
}

type Body = Statement | { queries: Statement[] };

/** What the driver copies from a 400 body onto its `NeonDbError`, besides `message`. */
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

/** `Neon-Batch-Isolation-Level` carries the driver's `isolationLevel` option verbatim. */
const ISOLATION_LEVELS: Record<string, string> = {
  ReadUncommitted: "read uncommitted",
  ReadCommitted: "read committed",
  RepeatableRead: "repeatable read",
  Serializable: "serializable",
};

// Values stay exactly as Postgres printed them; parsing them is the driver's job.
const rawText = { getTypeParser: () => (value: string) => value };

class BadRequest extends Error {}

async function readBody(req: IncomingMessage): Promise<Body> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const isStatement = (s: unknown): s is Statement =>
    typeof s === "object" && s !== null && typeof (s as Statement).query === "string";
  if (isStatement(body)) return body;
  const queries = (body as { queries?: unknown } | null)?.queries;
  if (Array.isArray(queries) && queries.every(isStatement)) return { queries };
  throw new BadRequest("body must be {query, params} or {queries: [{query, params}, ...]}");
}

/** BEGIN as the batch headers ask; the driver sends them only for `transaction()`. */
function beginStatement(req: IncomingMessage): string {
  const header = (name: string) => req.headers[name] as string | undefined;
  const isolation = header("neon-batch-isolation-level");
  const readOnly = header("neon-batch-read-only");
  const deferrable = header("neon-batch-deferrable");
  const modes: string[] = [];
  if (isolation !== undefined) {
    const level = ISOLATION_LEVELS[isolation];
    if (!level) throw new BadRequest(`unknown Neon-Batch-Isolation-Level: ${isolation}`);
    modes.push(`isolation level ${level}`);
  }
  if (readOnly !== undefined) modes.push(readOnly === "true" ? "read only" : "read write");
  if (deferrable !== undefined) modes.push(deferrable === "true" ? "deferrable" : "not deferrable");
  return ["begin", modes.join(", ")].join(" ").trim();
}

function errorBody(error: unknown): Record<string, string | undefined> {
  const body: Record<string, string | undefined> = {
    message: error instanceof Error ? error.message : String(error),
  };
  if (error instanceof pg.DatabaseError)
    for (const field of ERROR_FIELDS) body[field] = error[field];
  return body;
}

export async function startNeonShim(pgUrl: string): Promise<NeonShim> {
  const target = new URL(pgUrl);
  const targetHost = target.hostname;
  const targetPort = Number(target.port || 5432);
  const pools = new Map<string, pg.Pool>();
  const stats = { httpRequests: 0, queries: 0 };

  const poolFor = (connectionString: string) => {
    // Only the credentials and database count: the driver's `application_name` and any
    // `sslmode` or `channel_binding` meant for Neon must not reach the local server.
    const url = new URL(connectionString);
    const config = {
      host: targetHost,
      port: targetPort,
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: decodeURIComponent(url.pathname.slice(1)),
    };
    const key = JSON.stringify(config);
    let pool = pools.get(key);
    if (!pool) {
      pool = new pg.Pool({ ...config, max: 4 });
      // An idle connection dies when the server stops before the shim; that is no test failure.
      pool.on("error", () => {});
      pools.set(key, pool);
    }
    return pool;
  };

  const execute = async (client: pg.PoolClient, statement: Statement, arrayMode: boolean) => {
    stats.queries++;
    // Neon runs every statement through the extended protocol, so a text holding several
    // statements fails there; node-postgres would otherwise send it as a simple query.
    const config: pg.QueryArrayConfig & { queryMode: "extended" } = {
      text: statement.query,
      values: statement.params ?? [],
      rowMode: "array",
      types: rawText,
      queryMode: "extended",
    };
    const result = await client.query(config);
    const fields = result.fields.map((f) => ({
      name: f.name,
      dataTypeID: f.dataTypeID,
      tableID: f.tableID,
      columnID: f.columnID,
      dataTypeSize: f.dataTypeSize,
      dataTypeModifier: f.dataTypeModifier,
      format: "text",
    }));
    const rows = arrayMode
      ? result.rows
      : result.rows.map((row) => Object.fromEntries(fields.map((f, i) => [f.name, row[i]])));
    return {
      fields,
      command: result.command,
      rowCount: result.rowCount,
      rows,
      rowAsArray: arrayMode,
    };
  };

  const handle = async (req: IncomingMessage) => {
    const connectionString = req.headers["neon-connection-string"];
    if (typeof connectionString !== "string") {
      throw new BadRequest("missing Neon-Connection-String header");
    }
    // The driver always sends `Neon-Array-Mode: true` and builds objects itself, since object
    // keys would collapse duplicate column names. It also always asks for raw text output.
    const arrayMode = req.headers["neon-array-mode"] === "true";
    const body = await readBody(req);
    const client = await poolFor(connectionString).connect();
    let broken: Error | undefined;
    try {
      if (!("queries" in body)) return await execute(client, body, arrayMode);
      await client.query(beginStatement(req));
      try {
        const results = [];
        for (const statement of body.queries)
          results.push(await execute(client, statement, arrayMode));
        await client.query("commit");
        return { results };
      } catch (error) {
        await client.query("rollback").catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw error;
      }
    } finally {
      // A connection that could not roll back must not go back to the pool mid-transaction.
      client.release(broken);
    }
  };

  const server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method !== "POST" || new URL(req.url ?? "/", "http://shim").pathname !== "/sql") {
      return reply(404, { message: "not found: the shim serves POST /sql and WebSockets on /v2" });
    }
    stats.httpRequests++;
    handle(req).then(
      (result) => reply(200, result),
      // The driver turns any 400 body into a NeonDbError; other statuses lose the fields.
      (error: unknown) => reply(400, errorBody(error)),
    );
  });

  // Each WebSocket carries one Postgres connection's raw wire protocol, both ways, unframed.
  const tcpSockets = new Set<Socket>();
  const wss = new WebSocketServer({ server, path: "/v2" });
  wss.on("connection", (ws) => {
    const tcp = connect(targetPort, targetHost);
    tcpSockets.add(tcp);
    tcp.on("data", (chunk) => ws.send(chunk));
    tcp.on("close", () => {
      tcpSockets.delete(tcp);
      ws.close();
    });
    tcp.on("error", () => ws.close());
    // With ws' default binaryType ("nodebuffer") every message arrives as one Buffer. Writes
    // made before the TCP connection is up are queued by the socket.
    ws.on("message", (data) => tcp.write(data as Buffer));
    ws.on("close", () => tcp.end());
    ws.on("error", () => tcp.destroy());
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("shim did not get a port");
  const origin = `127.0.0.1:${address.port}`;

  return {
    fetchEndpoint: `http://${origin}/sql`,
    wsProxy: `${origin}/v2`,
    stats,
    stop: async () => {
      // Close WebSockets with a handshake, not terminate(): a pool's `end()` resolves before its
      // connections are closed, and an abnormal closure then surfaces as a client error event.
      await Promise.all(
        [...wss.clients].map(
          (ws) =>
            new Promise<void>((resolve) => {
              const giveUp = setTimeout(() => ws.terminate(), 1000);
              ws.once("close", () => {
                clearTimeout(giveUp);
                resolve();
              });
              ws.close(1001);
            }),
        ),
      );
      for (const tcp of tcpSockets) tcp.destroy();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...pools.values()].map((pool) => pool.end()));
    },
  };
}
