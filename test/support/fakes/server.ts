import { createServer, type IncomingHttpHeaders } from "node:http";
import { afterAll, beforeAll, beforeEach } from "vitest";

/** One request as the fake received it. */
export interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  // biome-ignore lint/suspicious/noExplicitAny: tests inspect arbitrary request JSON
  json?: any;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A canned failure for the next matching request(s). */
export interface Fault extends Partial<Reply> {
  delayMs?: number;
  /** Destroys the connection without an answer. */
  drop?: boolean;
  /** How many requests it applies to (default 1). */
  times?: number;
  match?: (req: Recorded) => boolean;
}

export interface Fake {
  url: string;
  requests: Recorded[];
  faults: Fault[];
  stop(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 that records every request and lets tests inject faults. */
export async function startFake(handle: (req: Recorded) => Reply | Promise<Reply>): Promise<Fake> {
  const requests: Recorded[] = [];
  const faults: Fault[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const recorded: Recorded = {
      method: req.method ?? "GET",
      path: req.url ?? "/",
      headers: req.headers,
      body,
    };
    if (String(req.headers["content-type"]).includes("json") && body.length) {
      try {
        recorded.json = JSON.parse(body.toString("utf8"));
      } catch {
        // Left undefined: the test sees a non-JSON body.
      }
    }
    requests.push(recorded);
    const index = faults.findIndex((f) => !f.match || f.match(recorded));
    const fault = index >= 0 ? faults[index] : undefined;
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      if (fault.times <= 0) faults.splice(index, 1);
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.drop) return void req.socket.destroy();
    }
    const reply = fault?.status ? (fault as Reply) : await handle(recorded);
    if (res.destroyed) return;
    const isBuffer = Buffer.isBuffer(reply.body);
    res.writeHead(reply.status, {
      "content-type": isBuffer ? "application/octet-stream" : "application/json",
      ...reply.headers,
    });
    res.end(
      isBuffer || typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body ?? {}),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`,
    requests,
    faults,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Starts a fake for the whole file and forgets its requests, faults and queued replies before
 * each test; returns a getter because the fake exists only once `beforeAll` ran.
 */
export function fakeForFile<F extends Fake & { next?: unknown[] }>(
  start: () => Promise<F>,
): () => F {
  let fake: F | undefined;
  beforeAll(async () => {
    fake = await start();
  });
  afterAll(() => fake?.stop());
  beforeEach(() => {
    if (!fake) return;
    fake.requests.length = 0;
    fake.faults.length = 0;
    if (fake.next) fake.next.length = 0;
  });
  return () => fake as F;
}
