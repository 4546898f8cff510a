import { mkdtempSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetConfig } from "../core/config.ts";
import { database, useDatabase } from "../core/db/client.ts";
import { handler as projectsHandler } from "../functions/api/projects.ts";
import { type LocalServer, startLocalServer } from "../functions/local/server.ts";
import { apiGatewayEvent, lambdaContext } from "./support/lambda.ts";

const MB = 1024 * 1024;
const HUGE = JSON.stringify({ name: "x".repeat(20 * MB) });

let server: LocalServer;

beforeAll(async () => {
  process.env.DATA_DIR = mkdtempSync(join(tmpdir(), "storyboard-large-body-"));
  resetConfig();
  useDatabase(undefined);
  server = await startLocalServer(0);
});
afterAll(async () => {
  await server?.close();
  await (await database()).close();
});

interface RawReply {
  /** Bytes of the body the server let the client finish sending before answering or closing. */
  sent: number;
  writeError?: string;
  status: number;
  headers: string;
  body: string;
}

/**
 * A client that sends the whole request before it reads the answer, as curl-less scripts and
 * most SDKs do: over a plain socket, so nothing hides a connection the server dropped.
 */
function postRaw(path: string, body: string, chunked = false): Promise<RawReply> {
  const url = new URL(server.url);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    const received: Buffer[] = [];
    let sent = 0;
    let writeError: string | undefined;
    socket.on("data", (d) => received.push(d));
    socket.on("error", (e) => {
      writeError ??= (e as NodeJS.ErrnoException).code ?? e.message;
    });
    socket.on("close", () => {
      const text = Buffer.concat(received).toString("latin1");
      const [head = "", ...rest] = text.split("\r\n\r\n");
      const status = Number(head.match(/^HTTP\/1\.1 (\d{3})/)?.[1] ?? 0);
      resolve({ sent, writeError, status, headers: head, body: rest.join("\r\n\r\n") });
    });
    const bytes = Buffer.from(body);
    const framing = chunked ? "transfer-encoding: chunked" : `content-length: ${bytes.length}`;
    socket.write(
      `POST ${path} HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\n${framing}\r\nconnection: close\r\n\r\n`,
    );
    (async () => {
      for (let at = 0; at < bytes.length; at += MB) {
        const piece = bytes.subarray(at, at + MB);
        const frame = chunked
          ? Buffer.concat([
              Buffer.from(`${piece.length.toString(16)}\r\n`),
              piece,
              Buffer.from("\r\n"),
            ])
          : piece;
        await new Promise<void>((done, fail) => socket.write(frame, (e) => (e ? fail(e) : done())));
        sent += piece.length;
      }
      if (chunked) socket.write("0\r\n\r\n");
    })().catch((e: NodeJS.ErrnoException) => {
      writeError ??= e.code ?? e.message;
    });
  });
}

describe("a 20 MB JSON body", () => {
  it("gets a 413 JSON answer from the local server, with the whole body sent, not a dropped connection", async () => {
    for (const chunked of [false, true]) {
      const reply = await postRaw("/api/v1/projects", HUGE, chunked);
      expect(reply.writeError, `chunked=${chunked}`).toBeUndefined();
      expect(reply.sent).toBe(Buffer.byteLength(HUGE));
      expect(reply.status).toBe(413);
      expect(reply.headers).toMatch(/content-type: application\/json/i);
      expect(JSON.parse(reply.body)).toMatchObject({ code: "body_too_large" });
    }
  }, 60_000);

  it("gets a 413 JSON answer through the Lambda handler", async () => {
    const res = await projectsHandler(
      apiGatewayEvent("POST", "/api/v1/projects", HUGE) as never,
      lambdaContext as never,
    );
    expect(res.statusCode).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ code: "body_too_large" });
  });
});
