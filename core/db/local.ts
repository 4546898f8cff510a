import { claimDirectory, currentHolder, type Holder, type Ownership } from "./lock.ts";

/** Another process has the embedded database and cannot share it; nothing was read or written. */
export class DatabaseBusyError extends Error {
  override name = "DatabaseBusyError";
}

/** How long to wait for a local server that is starting to advertise its socket. */
const STARTING_SERVER_WAIT_MS = 15_000;

const describe = (holder: Holder) => `pid ${holder.pid}, since ${holder.since}`;

/**
 * Decides how this process reaches the PGlite directory `dataDir`: it opens it itself (and then
 * holds it until it closes), or it connects through the local server that already has it open.
 * A local server (`serve`) must open it itself; anything else that cannot is refused.
 */
export async function reachEmbedded(
  dataDir: string,
  serve: boolean,
): Promise<{ ownership: Ownership } | { url: string }> {
  const deadline = Date.now() + STARTING_SERVER_WAIT_MS;
  for (;;) {
    const claim = await claimDirectory(dataDir, serve ? "server" : "direct");
    if ("ownership" in claim) return claim;
    const { holder } = claim;
    if (serve) {
      throw new DatabaseBusyError(
        `Another local server (${describe(holder)}${holder.api ? `, ${holder.api}` : ""}) already has the embedded database in ${dataDir}. Stop it first, or give this one its own DATA_DIR.`,
      );
    }
    if (holder.database) return { url: holder.database };
    if (holder.role === "direct" || Date.now() > deadline) {
      throw new DatabaseBusyError(
        `The embedded database in ${dataDir} is open in another process (${holder.role === "server" ? "a local server still starting, " : ""}${describe(holder)}). PGlite allows one process at a time; try again when it has finished. Nothing was changed.`,
      );
    }
    // A local server between taking the directory and opening its socket.
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The local server running on `dataDir`, if one is (e.g. so the demo can use it). */
export async function runningLocalServer(dataDir: string): Promise<Holder | undefined> {
  const holder = await currentHolder(dataDir);
  return holder?.role === "server" ? holder : undefined;
}
