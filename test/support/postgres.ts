import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

export interface TestPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/test`; trust authentication, so no password. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

const hasServerTools = (bin: string) =>
  existsSync(join(bin, "initdb")) && existsSync(join(bin, "pg_ctl"));

async function findBinDir(): Promise<string> {
  const explicit = process.env.PG_BIN;
  if (explicit) {
    if (hasServerTools(explicit)) return explicit;
    throw new Error(`PG_BIN=${explicit} holds no initdb and pg_ctl`);
  }
  // Debian installs server binaries off PATH, one directory per major version.
  const root = "/usr/lib/postgresql";
  const newest = (existsSync(root) ? readdirSync(root) : [])
    .map((version) => join(root, version, "bin"))
    .filter(hasServerTools)
    .sort((a, b) => b.localeCompare(a, undefined, { numeric: true }))[0];
  if (newest) return newest;
  const fromPgConfig = await run("pg_config", ["--bindir"]).then(
    ({ stdout }) => stdout.trim(),
    () => "",
  );
  if (fromPgConfig && hasServerTools(fromPgConfig)) return fromPgConfig;
  throw new Error(
    "PostgreSQL server binaries (initdb, pg_ctl) not found: install the Debian package " +
      "`postgresql` (.ci/run does), or set PG_BIN to the directory holding them",
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

/**
 * A throwaway PostgreSQL cluster on 127.0.0.1 with durability switched off (it only has to
 * outlive one test run). The server refuses to run as root, so as root (CI containers) the tools
 * run as the `postgres` system user, which must own the directories they write.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = await findBinDir();
  const asRoot = process.getuid?.() === 0;
  // One temporary directory holds the cluster (`data/`), the Unix socket and the server log.
  const dir = await mkdtemp(join(tmpdir(), "pg-test-"));
  const data = join(dir, "data");
  const log = join(dir, "server.log");
  // Run from `dir`: as the postgres user the caller's working directory may be unreadable.
  const tool = (name: string, args: string[]) =>
    asRoot
      ? run("runuser", ["-u", "postgres", "--", join(bin, name), ...args], { cwd: dir })
      : run(join(bin, name), args, { cwd: dir });

  const stop = async () => {
    // pg_ctl fails harmlessly when no server runs, which is the case after a failed start.
    if (existsSync(join(data, "postmaster.pid"))) {
      await tool("pg_ctl", ["-D", data, "-m", "immediate", "stop"]).catch(() => {});
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    if (asRoot) {
      const id = async (flag: string) =>
        Number((await run("id", [flag, "postgres"])).stdout.trim());
      await chown(dir, await id("-u"), await id("-g"));
    }
    const port = await freePort();
    // C locale and UTF8 make collation and encoding the same on every machine.
    await tool("initdb", [
      ...["-D", data, "-A", "trust", "-U", "postgres"],
      ...["-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"],
    ]);
    const options = [
      `-p ${port}`,
      `-k ${dir}`,
      "-c listen_addresses=127.0.0.1",
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
    ].join(" ");
    // `-l` matters: without it the server inherits pg_ctl's stdout and execFile never returns.
    await tool("pg_ctl", ["-D", data, "-o", options, "-l", log, "-w", "start"]).catch(
      async (error: Error) => {
        const serverLog = await readFile(log, "utf8").catch(() => "");
        throw new Error(`${error.message}\n${serverLog}`, { cause: error });
      },
    );
    const admin = new pg.Client({
      host: "127.0.0.1",
      port,
      user: "postgres",
      database: "postgres",
    });
    await admin.connect();
    try {
      await admin.query("create database test");
    } finally {
      await admin.end();
    }
    return { url: `postgres://postgres@127.0.0.1:${port}/test`, port, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
