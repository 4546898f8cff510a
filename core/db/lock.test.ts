import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { claimDirectory, currentHolder, lockPathOf } from "./lock.ts";

const fresh = () => join(mkdtempSync(join(tmpdir(), "pglite-lock-")), "pglite");

/** The pid of a process that has certainly exited. */
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid as number;

describe("ownership of an embedded database directory", () => {
  it("gives a directory to exactly one of many simultaneous claims", async () => {
    const dir = fresh();
    const claims = await Promise.all(
      Array.from({ length: 12 }, () => claimDirectory(dir, "direct")),
    );
    const owners = claims.filter((c) => "ownership" in c);
    expect(owners).toHaveLength(1);
    expect(claims.filter((c) => "holder" in c && c.holder.pid === process.pid)).toHaveLength(11);
  });

  it("takes over a record left by a process that died, once", async () => {
    const dir = fresh();
    const stale = { pid: deadPid(), role: "server", since: "then", database: "postgres://x" };
    await writeFile(lockPathOf(dir), JSON.stringify(stale));
    expect(await currentHolder(dir)).toBeUndefined();
    const claims = await Promise.all([1, 2, 3].map(() => claimDirectory(dir, "direct")));
    expect(claims.filter((c) => "ownership" in c)).toHaveLength(1);
    expect(JSON.parse(await readFile(lockPathOf(dir), "utf8"))).toMatchObject({
      pid: process.pid,
      role: "direct",
    });
  });

  it("advertises whole records and releases only its own", async () => {
    const dir = fresh();
    const claim = await claimDirectory(dir, "server");
    if (!("ownership" in claim)) throw new Error("expected to own a fresh directory");
    await claim.ownership.advertise({ database: "postgres://db", api: "http://api" });
    expect(await currentHolder(dir)).toMatchObject({ role: "server", api: "http://api" });
    await claim.ownership.release();
    expect(await currentHolder(dir)).toBeUndefined();
    const next = await claimDirectory(dir, "direct");
    expect("ownership" in next).toBe(true);
  });
});
