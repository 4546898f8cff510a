import { createServer, type IncomingHttpHeaders } from "node:http";
import { afterAll, beforeAll, beforeEach } from "vitest";

/** One request as the fake received it. */
export interface Recorded {
  method: string;
  /** Path with the query string, as sent on the request line. */
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The parsed body when the request said it was JSON and it parsed. */
  // biome-ignore lint/suspicious/noExplicitAny: tests inspect arbitrary request JSON
  json?: any;
}

/** The name the contract-test brief uses for {@link Recorded}. */
export type RecordedRequest = Recorded;

export interface Reply {
  status: number;
  /** An object is sent as JSON; a string or Buffer as is. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** A canned failure for the next matching request(s). */
export interface Fault extends Partial<Reply> {
  /** Waits before answering (or dropping), e.g. to run into a client timeout. */
  delayMs?: number;
  /** Destroys the connection without an answer. */
  drop?: boolean;
  /** How many requests it applies to (default 1). */
  times?: number;
  /** Only requests on this path: a string is the exact path without the query, a RegExp is
   * tested against the path with the query. */
  path?: string | RegExp;
  match?: (req: Recorded) => boolean;
}

export interface Fake {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  port: number;
  requests: Recorded[];
  /** Consumed first to last; the first fault whose `path`/`match` accept a request applies. */
  faults: Fault[];
  stop(): Promise<void>;
}

const pathname = (path: string) => path.split("?")[0] as string;

const faultApplies = (fault: Fault, req: Recorded) => {
  if (typeof fault.path === "string" && pathname(req.path) !== fault.path) return false;
  if (fault.path instanceof RegExp && !fault.path.test(req.path)) return false;
  return !fault.match || fault.match(req);
};

/**
 * An HTTP server on 127.0.0.1 that records every request and lets tests inject faults.
 * A fault with a `status` or a `body` replaces the handler's answer (status 200 by default);
 * one with only `delayMs` delays the normal answer; `drop` closes the socket unanswered.
 */
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
    const index = faults.findIndex((f) => faultApplies(f, recorded));
    const fault = index >= 0 ? faults[index] : undefined;
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      if (fault.times <= 0) faults.splice(index, 1);
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.drop) return void req.socket.destroy();
    }
    let reply: Reply;
    try {
      reply =
        fault && (fault.status || fault.body !== undefined)
          ? { status: fault.status ?? 200, body: fault.body, headers: fault.headers }
          : await handle(recorded);
    } catch (error) {
      reply = { status: 500, body: { error: `fake handler threw: ${(error as Error).message}` } };
    }
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
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
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
