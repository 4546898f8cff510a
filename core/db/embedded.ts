import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type Socket } from "node:net";
import type { PGlite } from "@electric-sql/pglite";
import { log } from "../log.ts";

/**
 * Serves an in-process PGlite to other local processes (the keys CLI, migrations, the demo) over
 * the Postgres wire protocol on a loopback port, so they use the running server's database
 * instead of opening its directory a second time.
 *
 * PGlite is one backend session. A client connection therefore takes a turn: from its first
 * message until PGlite answers ReadyForQuery "idle", it alone talks to PGlite, and the server's
 * own queries wait. A turn holds PGlite's transaction lock (the one `query`/`transaction` take),
 * so a client's transaction can never swallow the server's statements and the other way round;
 * locking per message (as `@electric-sql/pglite-socket` does) lets a server write run inside a
 * client's open transaction and vanish with its ROLLBACK.
 */
export interface SharedEmbedded {
  /** postgres:// URL with this run's password; give it only to local processes. */
  url: string;
  close(): Promise<void>;
}

export interface ShareOptions {
  /** Called when a client's turn ends, before it sees the answer (e.g. to drop caches). */
  afterClientTurn?: () => void;
  /** A client that holds a turn and sends nothing for this long is disconnected and rolled back. */
  turnIdleMs?: number;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const PROTOCOL_3 = 196608;

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, "latin1");
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

const simpleQuery = (sql: string) => message("Q", Buffer.from(`${sql}\0`));
const askPassword = () => message("R", Buffer.from([0, 0, 0, 3]));
const fatal = (code: string, text: string) =>
  message("E", Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${text}\0\0`));

/** Status byte of the last ReadyForQuery in a run of backend messages, if there is one. */
function readyStatus(out: Buffer): string | undefined {
  let status: string | undefined;
  for (let i = 0; i + 5 <= out.length; i += 1 + out.readInt32BE(i + 1)) {
    if (out[i] === 0x5a) status = String.fromCharCode(out[i + 5] ?? 0);
  }
  return status;
}

export async function shareEmbedded(
  pglite: PGlite,
  options: ShareOptions = {},
): Promise<SharedEmbedded> {
  const password = randomBytes(24).toString("base64url");
  const turnIdleMs = options.turnIdleMs ?? 15_000;
  const sockets = new Set<Socket>();

  /** Resolves with a function that ends the turn once PGlite's transaction lock is ours. */
  const takeTurn = () =>
    new Promise<() => void>((granted) => {
      void pglite._runExclusiveTransaction(() => new Promise<void>((end) => granted(end)));
    });

  function serve(socket: Socket) {
    sockets.add(socket);
    let buffered = Buffer.alloc(0);
    let phase: "startup" | "password" | "ready" = "startup";
    let startup: Buffer | undefined;
    let endTurn: (() => void) | undefined;
    let idle: NodeJS.Timeout | undefined;
    let chain = Promise.resolve();
    let closed = false;

    const finish = async () => {
      closed = true;
      clearTimeout(idle);
      sockets.delete(socket);
      socket.end(); // flushes a final error message first
      const end = endTurn;
      endTurn = undefined;
      if (!end) return;
      // Gone mid-turn: undo whatever it left open (ROLLBACK also aborts an implicit transaction).
      await pglite
        .runExclusive(() => pglite.execProtocolRaw(simpleQuery("ROLLBACK")))
        .catch(() => {});
      end();
    };

    const toPglite = async (msg: Buffer, more: boolean) => {
      if (!endTurn) {
        const end = await takeTurn();
        if (closed) return end(); // left while waiting: nothing of its own to undo
        endTurn = end;
      }
      const chunks: Uint8Array[] = [];
      await pglite.runExclusive(() =>
        pglite.execProtocolRawStream(msg, { onRawData: (data) => chunks.push(data.slice()) }),
      );
      const out = Buffer.concat(chunks);
      clearTimeout(idle);
      if (readyStatus(out) === "I" && !more) {
        endTurn();
        endTurn = undefined;
        options.afterClientTurn?.();
      } else {
        idle = setTimeout(() => {
          log.warn("embedded database: a client held its turn too long; disconnected");
          void finish();
        }, turnIdleMs);
      }
      if (out.length) socket.write(out);
    };

    const handle = async (msg: Buffer, more: boolean) => {
      if (phase === "startup") {
        const code = msg.readInt32BE(4);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) return void socket.write("N");
        if (code !== PROTOCOL_3) return finish(); // CancelRequest or an unknown protocol
        startup = msg;
        phase = "password";
        return void socket.write(askPassword());
      }
      if (phase === "password") {
        const given = msg.subarray(5, msg.length - 1);
        const expected = Buffer.from(password);
        const ok =
          msg[0] === 0x70 && given.length === expected.length && timingSafeEqual(given, expected);
        if (!ok) {
          socket.write(fatal("28P01", "password authentication failed"));
          return finish();
        }
        phase = "ready";
        return toPglite(startup as Buffer, more);
      }
      if (msg[0] === 0x58) return finish(); // Terminate: PGlite's session outlives this client.
      return toPglite(msg, more);
    };

    /** Frames and handles what has arrived; runs in order, since framing depends on the phase. */
    const drain = async () => {
      while (!closed) {
        const untyped = phase === "startup";
        if (buffered.length < (untyped ? 8 : 5)) return;
        const length = untyped ? buffered.readInt32BE(0) : 1 + buffered.readInt32BE(1);
        if (buffered.length < length) return;
        const msg = buffered.subarray(0, length);
        buffered = buffered.subarray(length);
        await handle(msg, buffered.length > 0);
      }
    };

    socket.on("data", (data) => {
      clearTimeout(idle);
      buffered = Buffer.concat([buffered, data]);
      chain = chain.then(drain).catch((error) => {
        log.error("embedded database: client session failed", { error });
        return finish();
      });
    });
    socket.on("error", () => {});
    socket.on("close", () => void chain.then(finish));
  }

  const server = createServer(serve);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    close: async () => {
      const closing = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closing;
    },
  };
}
