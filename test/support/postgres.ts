import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

export interface TestPostgres {
  url: string;
  port: number;
  stop(): Promise<void>;
}

function findBinDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin", "pg_ctl")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return join(root, versions[0], "bin");
  throw new Error(
    "PostgreSQL server binaries not found: install the Debian package `postgresql` (.ci/run does) or set PG_BIN",
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/**
 * A throwaway PostgreSQL cluster on 127.0.0.1. The server refuses to run as root, so as root
 * (CI) it runs as the `postgres` system user, with its directories handed over to that user.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = findBinDir();
  const root = process.getuid?.() === 0;
  const dir = await mkdtemp(join(tmpdir(), "storyboard-pg-"));
  const data = join(dir, "data");
  const exec = async (tool: string, args: string[]) => {
    const path = join(bin, tool);
    return root ? run("runuser", ["-u", "postgres", "--", path, ...args]) : run(path, args);
  };
  if (root) {
    const uid = Number((await run("id", ["-u", "postgres"])).stdout.trim());
    const gid = Number((await run("id", ["-g", "postgres"])).stdout.trim());
    await chown(dir, uid, gid);
  }
  const port = await freePort();
  let started = false;
  const stop = async () => {
    if (started) await exec("pg_ctl", ["-D", data, "-m", "immediate", "stop"]).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await exec("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
    const options = [
      `-p ${port}`,
      `-k ${dir}`,
      "-c listen_addresses=127.0.0.1",
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
    ].join(" ");
    await exec("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "log"), "-w", "start"]);
    started = true;
    const admin = new pg.Client({
      host: "127.0.0.1",
      port,
      user: "postgres",
      database: "postgres",
    });
    await admin.connect();
    await admin.query("create database test");
    await admin.end();
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/test`, port, stop };
}
