import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../core/db/client.ts";

/**
 * `npm start` and `npm run keys` as a user runs them: separate processes on one DATA_DIR.
 * Every key command runs while the server is up, and its effect is checked on the server at once.
 */
const dataDir = mkdtempSync(join(tmpdir(), "storyboard-embedded-"));
const timings: [string, number][] = [];
let server: ChildProcess | undefined;

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

const env = (extra: Record<string, string> = {}) => ({
  ...process.env,
  DATA_DIR: dataDir,
  AUTH_REQUIRED: "true",
  LOG_LEVEL: "error",
  ...extra,
});

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await fn();
  } finally {
    timings.push([label, Math.round(performance.now() - started)]);
  }
}

/** `npm start`: resolves with the API origin once it prints its banner. */
function startServer(port: number) {
  return timed("start server", () => {
    const child = spawn(process.execPath, ["--import", "tsx", "functions/local/server.ts"], {
      env: env({ PORT: String(port) }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    server = child;
    return new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout?.on("data", (data) => {
        out += data;
        const url = /API on (\S+)/.exec(out)?.[1];
        if (url) resolve(url);
      });
      child.stderr?.on("data", (data) => {
        out += data;
      });
      child.once("exit", (code) => reject(new Error(`server exited ${code}: ${out}`)));
    });
  });
}

/** Ctrl-C: the server closes the database and gives up the directory. */
const stopServer = () =>
  timed("stop server", async () => {
    const child = server;
    server = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGINT");
    await exited;
  });

/** `npm run keys -- …` */
const keys = (...args: string[]) =>
  timed(`keys ${args[0]}`, async () => {
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ["--import", "tsx", "scripts/keys.ts", ...args],
        { env: env() },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  });

const status = (api: string, key: string) =>
  fetch(`${api}/api/v1/projects`, { headers: { authorization: `Bearer ${key}` } }).then(
    (r) => r.status,
  );

afterAll(async () => {
  await stopServer();
  console.log(
    `embedded database timings (ms): ${timings.map(([label, ms]) => `${label} ${ms}`).join(", ")}`,
  );
});

describe("the embedded database shared between npm start and npm run keys", () => {
  it("creates, lists and revokes keys while the server runs; they hold at once and after a restart", async () => {
    const port = await freePort();
    let api = await startServer(port);

    const alice = await keys("create", "--owner", "alice");
    expect(alice).toMatchObject({ code: 0, stderr: "" });
    const aliceKey = alice.stdout.trim().split("\n").pop() as string;
    expect(await status(api, aliceKey)).toBe(200);

    const bob = await keys("create", "--owner", "bob");
    const bobKey = bob.stdout.trim().split("\n").pop() as string;
    expect(await status(api, bobKey)).toBe(200); // cached as valid on the server
    const bobId = /created key (\d+)/.exec(bob.stdout)?.[1] as string;
    expect(await keys("revoke", bobId)).toMatchObject({ code: 0 });
    // At once, although the server had just cached bob's key as valid.
    expect(await status(api, bobKey)).toBe(401);
    expect(await status(api, aliceKey)).toBe(200);

    const listed = await keys("list");
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/\talice\t.*\tactive/);
    expect(listed.stdout).toMatch(/\tbob\t.*\trevoked /);

    await stopServer();
    api = await startServer(port);
    expect((await keys("list")).stdout).toBe(listed.stdout);
    expect(await status(api, aliceKey)).toBe(200);
    expect(await status(api, bobKey)).toBe(401);
    await stopServer();
  }, 120_000);

  it("refuses a second direct opener clearly, without writing", async () => {
    // This test process opens the directory directly, as a command does when no server runs.
    const first: Database = await openDatabase({
      driver: "pglite",
      dataDir: join(dataDir, "pglite"),
    });
    let second: Awaited<ReturnType<typeof keys>>;
    try {
      second = await keys("create", "--owner", "mallory");
    } finally {
      await first.close();
    }
    expect(second.code).not.toBe(0);
    expect(second.stdout).toBe("");
    expect(second.stderr).toMatch(/embedded database in .* is open in another process \(pid \d+/);
    expect(second.stderr).toMatch(/Nothing was changed/);
    // The directory is free again: the next command opens it itself and sees no such key.
    const after = await keys("list");
    expect(after.code).toBe(0);
    expect(after.stdout).not.toMatch(/mallory/);
  }, 60_000);
});
