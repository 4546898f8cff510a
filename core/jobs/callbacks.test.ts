import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { videoJobBench } from "../../test/support/video-jobs.ts";
import { resetConfig } from "../config.ts";
import { CALLBACK_RETRY_WINDOW_SECONDS, deliverCallback, nextCallbackDelay } from "./callbacks.ts";
import { getJob } from "./store.ts";
import { parseJobMessage, processJob, processJobMessage } from "./worker.ts";

const SECRET = "test-webhook-secret-of-at-least-32-chars";
const bench = videoJobBench();
const call = (...args: Parameters<typeof bench.api.call>) => bench.api.call(...args);

/** A local receiver: records each POST and answers with `status`. */
const received: { body: string; signature: string }[] = [];
let status = 200;
let server: Server;
let hookUrl = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      received.push({ body, signature: String(req.headers["x-signature"]) });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  Object.assign(process.env, { WEBHOOK_SECRET: SECRET, ALLOW_PRIVATE_URLS: "true" });
  resetConfig();
  received.length = 0;
  status = 200;
});

/** Independent of the code under test: the receiver's own check. */
function verify(signature: string, body: string): number {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature);
  expect(match).not.toBeNull();
  const [, t, v1] = match as RegExpExecArray;
  const expected = createHmac("sha256", SECRET).update(`${t}.${body}`).digest();
  expect(timingSafeEqual(expected, Buffer.from(v1 as string, "hex"))).toBe(true);
  return Number(t);
}

/** A finished job that asked for a webhook: an asset batch of a project with no assets. */
async function finishedJobWithCallback(): Promise<string> {
  const projectId = (await call("POST", "/api/v1/projects", { name: "hook" })).body.id;
  const res = await call("POST", `/api/v1/projects/${projectId}/generate-asset-images`, {
    callback_url: hookUrl,
  });
  expect(res.status).toBe(202);
  const jobId = res.body.job_id as string;
  expect((await getJob(jobId))?.callback_url).toBe(hookUrl);
  await processJob(jobId);
  expect((await getJob(jobId))?.status).toBe("succeeded");
  return jobId;
}

describe("signed webhooks", () => {
  it("a job that succeeds POSTs its JSON once, with a valid signature", async () => {
    const jobId = await finishedJobWithCallback();
    // The queue message the worker sends, handled as the SQS consumer would.
    const message = JSON.stringify({ kind: "callback", job_id: jobId, attempt: 1 });
    expect(parseJobMessage(message)).toEqual({ jobId, callbackAttempt: 1 });
    await processJobMessage(message, "m1");
    await processJobMessage(message, "m1-duplicate");
    expect(received).toHaveLength(1);
    const [hit] = received;
    const t = verify(hit?.signature as string, hit?.body as string);
    expect(Math.abs(t - Date.now() / 1000)).toBeLessThan(60);
    const sent = JSON.parse(hit?.body as string);
    expect(sent).toMatchObject({ job_id: jobId, status: "succeeded", progress: 100 });
    const shown = await call("GET", `/api/v1/jobs/${jobId}`);
    expect(shown.body.callbacks).toEqual([{ at: expect.any(String), status: 200, attempt: 1 }]);
    // The webhook's body is GET /jobs/{id} as it stood when sent.
    expect(Object.keys(sent).sort()).toEqual(Object.keys(shown.body).sort());
  });

  it("a receiver answering 500 is retried with backoff for at least an hour, each attempt recorded", async () => {
    const jobId = await finishedJobWithCallback();
    status = 500;
    let clock = Date.parse("2030-01-01T00:00:00Z");
    const start = clock;
    let attempt = 1;
    for (;;) {
      const delay = await deliverCallback(jobId, attempt, () => clock);
      if (delay === undefined) break;
      expect(delay).toBeLessThanOrEqual(900);
      clock += delay * 1000;
      attempt++;
      expect(attempt).toBeLessThan(50);
    }
    expect((clock - start) / 1000).toBeGreaterThanOrEqual(CALLBACK_RETRY_WINDOW_SECONDS);
    expect(received).toHaveLength(attempt);
    const job = await getJob(jobId);
    expect(job?.callbacks?.map((c) => [c.attempt, c.status])).toEqual(
      Array.from({ length: attempt }, (_, i) => [i + 1, 500]),
    );
    // Every attempt is signed anew with its own time.
    expect(received.map((r) => verify(r.signature, r.body))).toEqual(
      job?.callbacks?.map((c) => Date.parse(c.at) / 1000),
    );
    expect(nextCallbackDelay(1, start, start)).toBe(10);
  });

  it("a non-https or private callback_url is refused at submit with 422", async () => {
    Object.assign(process.env, { ALLOW_PRIVATE_URLS: "false" });
    resetConfig();
    const projectId = (await call("POST", "/api/v1/projects", { name: "refused" })).body.id;
    const path = `/api/v1/projects/${projectId}/compose-video`;
    for (const [url, code] of [
      ["http://example.com/hook", "invalid_url"],
      ["https://127.0.0.1/hook", "url_not_allowed"],
      ["ftp://example.com/hook", "invalid_url"],
    ]) {
      const res = await call("POST", path, { callback_url: url });
      expect(res.status, url).toBe(422);
      expect(res.body.code, url).toBe(code);
    }
  });

  it("the body stays optional on the routes that take only callback_url, as seed 001 sent them", async () => {
    const projectId = (await call("POST", "/api/v1/projects", { name: "001" })).body.id;
    const path = `/api/v1/projects/${projectId}/generate-asset-images`;
    const requests: [string, RequestInit][] = [
      ["no body", {}],
      ["{}", { body: "{}", headers: { "content-type": "application/json" } }],
      ["JSON type, no body", { headers: { "content-type": "application/json" } }],
      ["text type, no body", { headers: { "content-type": "text/plain" } }],
    ];
    for (const [what, init] of requests) {
      const res = await bench.api.app.request(path, { method: "POST", ...init });
      expect(res.status, what).toBe(202);
      expect((await res.json()).callbacks, what).toEqual([]);
    }
    // A JSON body cut short is refused, not read as "no callback_url": nothing is started.
    const cut = await call("POST", path, `{"callback_url": "${hookUrl}`);
    expect(cut.status).toBe(400);
    expect(cut.body).toEqual({ code: "invalid_json", detail: "Malformed JSON in request body" });
  });

  it("without WEBHOOK_SECRET a callback_url is refused with 400 webhooks_disabled", async () => {
    delete process.env.WEBHOOK_SECRET;
    resetConfig();
    const projectId = (await call("POST", "/api/v1/projects", { name: "off" })).body.id;
    const res = await call("POST", `/api/v1/projects/${projectId}/generate-asset-images`, {
      callback_url: hookUrl,
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("webhooks_disabled");
  });
});
