import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import type { Logger } from "drizzle-orm/logger";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { type Config, config } from "../config.ts";
import { log } from "../log.ts";
import type { ShareOptions } from "./embedded.ts";
import * as schema from "./schema.ts";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type DriverName = "neon" | "pg" | "pglite";

export interface Database {
  db: Db;
  driver: DriverName;
  /**
   * Runs the statements `build` makes as one transaction. On Neon's HTTP driver that is a single
   * request (`db.batch`); elsewhere an interactive transaction with the same statements.
   */
  atomic<T extends readonly BatchItem<"pg">[]>(build: (db: Db) => T): Promise<BatchResponse<T>>;
  close(): Promise<void>;
  /** Set when this process owns an embedded directory: tells other local processes about it. */
  advertise?(fields: { api: string }): Promise<void>;
}

export interface DatabaseOptions {
  driver?: DriverName;
  url?: string;
  /** PGlite data directory; `undefined` keeps the database in memory. */
  dataDir?: string;
  /** Called with every SQL statement sent, e.g. to count round trips. */
  onQuery?: (sql: string) => void;
  /**
   * With `dataDir`: this process is the local server; it must own the directory and serves it to
   * other local processes. Without it, a directory a local server owns is used through that server.
   */
  share?: ShareOptions;
}

export const MIGRATIONS_DIR =
  process.env.MIGRATIONS_DIR ?? fileURLToPath(new URL("./migrations", import.meta.url));

/** Which driver a configuration selects when none is forced. */
export function selectDriver(cfg: Pick<Config, "DATABASE_URL" | "DATABASE_DRIVER">): DriverName {
  if (cfg.DATABASE_DRIVER !== "auto") return cfg.DATABASE_DRIVER;
  if (!cfg.DATABASE_URL) return "pglite";
  const host = URL.canParse(cfg.DATABASE_URL) ? new URL(cfg.DATABASE_URL).hostname : "";
  return host.endsWith(".neon.tech") ? "neon" : "pg";
}

/**
 * Drivers are imported on demand so a Lambda bundle that only ever talks to Neon does not load
 * PGlite's WebAssembly or node-postgres at cold start.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const driver = options.driver ?? "pglite";
  const logger: Logger | undefined = options.onQuery
    ? { logQuery: (sql) => options.onQuery?.(sql) }
    : undefined;

  if (driver === "neon") {
    if (!options.url) throw new Error("The neon driver needs DATABASE_URL");
    const { neon, neonConfig } = await import("@neondatabase/serverless");
    const { drizzle } = await import("drizzle-orm/neon-http");
    const endpoint = config().NEON_HTTP_ENDPOINT;
    if (endpoint) neonConfig.fetchEndpoint = endpoint;
    const db = drizzle({ client: neon(options.url), schema, logger });
    return {
      db: db as unknown as Db,
      driver,
      atomic: (build) => db.batch(build(db as unknown as Db) as never) as never,
      close: async () => {},
    };
  }

  const transactional = (db: Db) => ({
    atomic: <T extends readonly BatchItem<"pg">[]>(build: (db: Db) => T) =>
      db.transaction(async (tx) => {
        const results: unknown[] = [];
        for (const statement of build(tx as unknown as Db)) results.push(await statement);
        return results as BatchResponse<T>;
      }),
  });

  if (driver === "pg") {
    if (!options.url) throw new Error("The pg driver needs DATABASE_URL");
    const { Pool } = (await import("pg")).default;
    const { drizzle } = await import("drizzle-orm/node-postgres");
    const pool = new Pool({ connectionString: options.url, max: 5 });
    pool.on("error", (error) => log.error("postgres pool error", { error }));
    const db = drizzle({ client: pool, schema, logger }) as unknown as Db;
    return { db, driver, ...transactional(db), close: () => pool.end() };
  }

  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  if (!options.dataDir) {
    const client = new PGlite();
    const db = drizzle({ client, schema, logger }) as unknown as Db;
    return { db, driver, ...transactional(db), close: () => client.close() };
  }

  // One process at a time may open a PGlite directory; see core/db/lock.ts.
  const { reachEmbedded } = await import("./local.ts");
  const reached = await reachEmbedded(options.dataDir, Boolean(options.share));
  if ("url" in reached) return openDatabase({ ...options, driver: "pg", url: reached.url });
  const { ownership } = reached;
  let client: InstanceType<typeof PGlite> | undefined;
  try {
    await mkdir(options.dataDir, { recursive: true });
    client = await PGlite.create(options.dataDir);
    const opened = client;
    const { shareEmbedded } = await import("./embedded.ts");
    const db = drizzle({ client, schema, logger }) as unknown as Db;
    const database: Database = { db, driver, ...transactional(db), close: () => opened.close() };
    // Other processes are let in only once the schema is current.
    if (options.share) await migrate(database);
    const shared = options.share ? await shareEmbedded(opened, options.share) : undefined;
    if (shared) await ownership.advertise({ database: shared.url });
    return {
      ...database,
      advertise: (fields) => ownership.advertise(fields),
      close: async () => {
        await shared?.close();
        await opened.close();
        await ownership.release();
      },
    };
  } catch (error) {
    await client?.close().catch(() => {});
    await ownership.release();
    throw error;
  }
}

/** Applies the committed drizzle migrations; safe to run on every start. */
export async function migrate(
  database: Database,
  migrationsFolder = MIGRATIONS_DIR,
): Promise<void> {
  const { db, driver } = database;
  if (driver === "neon") {
    const { migrate } = await import("drizzle-orm/neon-http/migrator");
    await migrate(db as never, { migrationsFolder });
  } else if (driver === "pg") {
    const { migrate } = await import("drizzle-orm/node-postgres/migrator");
    await migrate(db as never, { migrationsFolder });
  } else {
    const { migrate } = await import("drizzle-orm/pglite/migrator");
    await migrate(db as never, { migrationsFolder });
  }
}

let shared: Promise<Database> | undefined;
let serving: ShareOptions | undefined;

/**
 * Makes this process the local server of its embedded database: it opens `DATA_DIR/pglite`
 * itself and other local processes (keys, migrations, the demo) reach it through this one.
 * Call before the first `database()`.
 */
export function serveEmbeddedDatabase(options: ShareOptions = {}): void {
  serving = options;
}

/** The process-wide database from configuration, opened on first use. */
export function database(): Promise<Database> {
  shared ??= (async () => {
    const cfg = config();
    const driver = selectDriver(cfg);
    const database = await openDatabase({
      driver,
      url: cfg.DATABASE_URL,
      dataDir: driver === "pglite" ? `${cfg.DATA_DIR}/pglite` : undefined,
      share: driver === "pglite" ? serving : undefined,
    });
    // Locally the schema follows the code (a local server migrated before sharing its database);
    // deployed stages migrate through the migration function.
    const embedded = database.driver === "pglite" && !serving;
    if (embedded || process.env.MIGRATE_ON_START === "true") await migrate(database);
    return database;
  })();
  shared.catch(() => {
    shared = undefined;
  });
  return shared;
}

/** Lets tests and the local server swap in their own database. */
export function useDatabase(next: Database | undefined): void {
  shared = next ? Promise.resolve(next) : undefined;
}

export async function db(): Promise<Db> {
  return (await database()).db;
}
