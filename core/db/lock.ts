import { link, mkdir, readFile, rename, rmdir, stat, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Who owns an embedded PGlite directory. PGlite is a single-process database: two processes that
 * open the same directory each keep their own copy in memory and overwrite each other's files.
 * So exactly one process opens it, recorded in `<dir>.lock`; a local server also advertises there
 * how other processes reach the database through it (and its HTTP API).
 */
export interface Holder {
  pid: number;
  role: "server" | "direct";
  since: string;
  /** postgres:// URL of the running server's socket, with its per-run password. */
  database?: string;
  /** The running server's HTTP origin. */
  api?: string;
}

export interface Ownership {
  holder: Holder;
  /** Adds fields to the record other processes read (atomically: they never see half a file). */
  advertise(fields: Partial<Pick<Holder, "database" | "api">>): Promise<void>;
  release(): Promise<void>;
}

export const lockPathOf = (dataDir: string) => join(dirname(dataDir), `${basename(dataDir)}.lock`);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function readHolder(lockPath: string): Promise<Holder | undefined> {
  try {
    const holder = JSON.parse(await readFile(lockPath, "utf8")) as Holder;
    return Number.isInteger(holder.pid) ? holder : undefined;
  } catch {
    return undefined;
  }
}

/** The live process holding `dataDir`, if any (a record left by a crashed process is ignored). */
export async function currentHolder(dataDir: string): Promise<Holder | undefined> {
  const holder = await readHolder(lockPathOf(dataDir));
  return holder && isAlive(holder.pid) ? holder : undefined;
}

const tempName = (lockPath: string) =>
  `${lockPath}.${process.pid}.${Math.random().toString(36).slice(2)}`;

/** Writes the record to a temporary file first so a reader never sees a partial one. */
async function writeTemp(lockPath: string, holder: Holder): Promise<string> {
  const temp = tempName(lockPath);
  await writeFile(temp, JSON.stringify(holder), { mode: 0o600 });
  return temp;
}

/**
 * Removes the record of a dead holder. A guard directory (mkdir is atomic) makes sure only one
 * process breaks a given stale record, so it can never delete a fresh record another process has
 * just created in its place.
 */
async function breakStale(lockPath: string, stalePid: number): Promise<void> {
  const guard = `${lockPath}.breaking`;
  try {
    await mkdir(guard);
  } catch {
    // Someone else is breaking it; a guard left by a crash mid-break expires after 10 s.
    const age = await stat(guard).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > 10_000) await rmdir(guard).catch(() => {});
    return;
  }
  try {
    const holder = await readHolder(lockPath);
    if (holder?.pid === stalePid && !isAlive(stalePid)) await unlink(lockPath).catch(() => {});
  } finally {
    await rmdir(guard).catch(() => {});
  }
}

/**
 * Takes `dataDir` for this process, or returns the live process that holds it. `link` fails when
 * the record exists, so two processes can never both succeed.
 */
export async function claimDirectory(
  dataDir: string,
  role: Holder["role"],
): Promise<{ ownership: Ownership } | { holder: Holder }> {
  const lockPath = lockPathOf(dataDir);
  await mkdir(dirname(lockPath), { recursive: true });
  let holder: Holder = { pid: process.pid, role, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 20; attempt++) {
    const temp = await writeTemp(lockPath, holder);
    try {
      await link(temp, lockPath);
      return { ownership: ownership() };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      await unlink(temp).catch(() => {});
    }
    const existing = await readHolder(lockPath);
    if (existing && isAlive(existing.pid)) return { holder: existing };
    if (existing) await breakStale(lockPath, existing.pid);
    // An unreadable record is one being replaced right now; look again.
    else await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`Could not take ${lockPath}; remove it if no process uses ${dataDir}`);

  function ownership(): Ownership {
    let released = false;
    return {
      get holder() {
        return holder;
      },
      async advertise(fields) {
        holder = { ...holder, ...fields };
        const temp = await writeTemp(lockPath, holder);
        await rename(temp, lockPath);
      },
      async release() {
        if (released) return;
        released = true;
        const current = await readHolder(lockPath);
        if (current?.pid === process.pid) await unlink(lockPath).catch(() => {});
      },
    };
  }
}
