import { randomUUID } from "node:crypto";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type Emulators, ensureJobTable, startEmulators } from "../../functions/local/emulators.ts";
import { config, resetConfig } from "../config.ts";
import { STALE_AFTER_SECONDS } from "./limits.ts";
import { resetJobQueue } from "./queue.ts";
import { createJob, getJob, listStaleJobs, resetJobStore } from "./store.ts";
import { settleStaleJobs, sweepStaleJobs } from "./sweep.ts";
import type { Job } from "./types.ts";

/**
 * A pass-through proxy in front of dynalite that records each request's operation
 * (`X-Amz-Target`), so a test can see whether the store queried an index or scanned the table.
 */
function countingProxy(target: string): Promise<{ url: string; ops: string[]; server: Server }> {
  const ops: string[] = [];
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    ops.push(
      String(req.headers["x-amz-target"] ?? "")
        .split(".")
        .pop() ?? "",
    );
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(forward);
  });
  return new Promise((done) =>
    server.listen(0, "127.0.0.1", () =>
      done({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, ops, server }),
    ),
  );
}

let emulators: Emulators;
let proxy: Awaited<ReturnType<typeof countingProxy>>;
beforeAll(async () => {
  emulators = await startEmulators();
  proxy = await countingProxy(emulators.dynamoEndpoint);
  process.env.AWS_ENDPOINT_URL_DYNAMODB = proxy.url;
});
afterAll(async () => {
  await new Promise((r) => proxy?.server.close(r));
  await emulators?.stop();
});

const dynamo = () => new DynamoDBClient({ region: config().AWS_REGION });
const sqs = () => new SQSClient({ region: config().AWS_REGION });

/** Each test gets its own table and queue, so counts and messages are only its own. */
async function freshStage(createTable = (name: string) => ensureJobTable(dynamo(), name)) {
  const name = `jobs-${randomUUID()}`;
  await createTable(name);
  const { QueueUrl } = await sqs().send(new CreateQueueCommand({ QueueName: name }));
  Object.assign(process.env, { JOBS_TABLE: name, JOBS_QUEUE_URL: QueueUrl });
  resetConfig();
  resetJobStore();
  resetJobQueue();
  proxy.ops.length = 0;
  return QueueUrl as string;
}

/** Every message waiting on the queue, by job id (a delivery keeps them invisible for a minute). */
async function queuedJobIds(queueUrl: string): Promise<string[]> {
  const ids: string[] = [];
  for (;;) {
    const res = await sqs().send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 60,
      }),
    );
    if (!res.Messages?.length) return ids.sort();
    ids.push(...res.Messages.map((m) => JSON.parse(m.Body ?? "{}").job_id as string));
  }
}

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
const job = (
  status: Job["status"],
  createdMinutesAgo: number,
  updatedMinutesAgo = createdMinutesAgo,
): Job => ({
  job_id: `job-${randomUUID()}`,
  type: "generate_video",
  status,
  progress: 0,
  project_id: 7,
  input: {},
  attempts: 0,
  created_at: minutesAgo(createdMinutesAgo),
  updated_at: minutesAgo(updatedMinutesAgo),
  expires_at: 2_000_000_000,
});

async function store<T extends Job[]>(...jobs: T): Promise<T> {
  for (const j of jobs) await createJob(j);
  proxy.ops.length = 0;
  return jobs;
}

describe("stale job sweep", () => {
  let queueUrl: string;
  beforeEach(async () => {
    queueUrl = await freshStage();
  });

  it("finds stale queued and running jobs through the status index, oldest first, without a scan", async () => {
    const [older, queued] = await store(
      job("running", 12),
      job("queued", 10),
      job("running", 1, 0), // touched just now
      job("succeeded", 30),
      job("failed", 30),
      job("canceled", 30),
    );
    const stale = await listStaleJobs(minutesAgo(2));
    expect(stale.map((j) => j.job_id).sort()).toEqual([older.job_id, queued.job_id].sort());
    expect(proxy.ops).toEqual(["Query", "Query"]);

    const [first, second] = await store(job("queued", 9), job("queued", 8), job("queued", 7));
    const page = await listStaleJobs(minutesAgo(2), 2);
    expect(page.filter((j) => j.status === "queued").map((j) => j.job_id)).toEqual([
      queued.job_id,
      first.job_id,
    ]);
    expect(page.map((j) => j.job_id)).not.toContain(second.job_id);
  });

  it("re-queues a stale job once: the sweep right after leaves it alone", async () => {
    const [lost] = await store(job("running", 10));
    expect(await sweepStaleJobs(120)).toMatchObject({ requeued: 1, failed: 0 });
    const after = await getJob(lost.job_id);
    expect(after?.status).toBe("running");
    expect(Date.parse(after?.updated_at ?? "")).toBeGreaterThan(Date.parse(lost.updated_at));

    expect(await sweepStaleJobs(120)).toMatchObject({ requeued: 0, failed: 0 });
    expect(await queuedJobIds(queueUrl)).toEqual([lost.job_id]);
  });

  it("with the deployed threshold, leaves a re-queued job alone at the next runs until it is stale again", async () => {
    const [lost] = await store(job("running", 25));
    const start = Date.now();
    const timeout = process.env.VIDEO_TIMEOUT_MINUTES;
    process.env.VIDEO_TIMEOUT_MINUTES = "60"; // so the job is not past its deadline meanwhile
    resetConfig();
    try {
      expect((await sweepStaleJobs()).requeued).toBe(1);
      vi.useFakeTimers({ toFake: ["Date"], now: start + 5 * 60_000 });
      expect((await sweepStaleJobs()).requeued).toBe(0);
      vi.setSystemTime(start + 15 * 60_000);
      expect((await sweepStaleJobs()).requeued).toBe(0);
      vi.setSystemTime(start + (STALE_AFTER_SECONDS + 60) * 1000);
      expect((await sweepStaleJobs()).requeued).toBe(1);
    } finally {
      vi.useRealTimers();
      if (timeout === undefined) delete process.env.VIDEO_TIMEOUT_MINUTES;
      else process.env.VIDEO_TIMEOUT_MINUTES = timeout;
      resetConfig();
    }
    expect(await queuedJobIds(queueUrl)).toEqual([lost.job_id, lost.job_id]);
  });

  it("drains a backlog larger than one run over the following runs, each job queued once", async () => {
    const backlog = await store(job("queued", 10), job("queued", 9), job("queued", 8));
    expect((await sweepStaleJobs(120, { limit: 2 })).requeued).toBe(2);
    expect((await sweepStaleJobs(120, { limit: 2 })).requeued).toBe(1);
    expect((await sweepStaleJobs(120, { limit: 2 })).requeued).toBe(0);
    expect(await queuedJobIds(queueUrl)).toEqual(backlog.map((j) => j.job_id).sort());
  });

  it("two sweeps working from the same stale list queue each job once", async () => {
    const jobs = await store(job("running", 10), job("queued", 9), job("running", 8));
    const snapshot = await listStaleJobs(minutesAgo(2));
    expect(snapshot).toHaveLength(3);
    const [a, b] = await Promise.all([settleStaleJobs(snapshot), settleStaleJobs(snapshot)]);
    expect(a.requeued + b.requeued).toBe(3);
    expect(a.skipped + b.skipped).toBe(3);
    expect(await queuedJobIds(queueUrl)).toEqual(jobs.map((j) => j.job_id).sort());
  });

  it("fails jobs past the deadline as timeout without queueing them, and leaves finished jobs alone", async () => {
    const deadline = config().VIDEO_TIMEOUT_MINUTES * 2;
    const [expired, finished] = await store(
      job("queued", deadline + 5),
      job("succeeded", deadline + 5),
    );
    expect(await sweepStaleJobs(120)).toMatchObject({ requeued: 0, failed: 1 });
    expect(await getJob(expired.job_id)).toMatchObject({
      status: "failed",
      error: { code: "timeout" },
    });
    expect(await getJob(finished.job_id)).toEqual(finished);
    expect(await queuedJobIds(queueUrl)).toEqual([]);
  });

  it("skips a job a worker touched after it was listed", async () => {
    const [j] = await store(job("running", 10));
    const snapshot = await listStaleJobs(minutesAgo(2));
    const { updateJob } = await import("./store.ts");
    await updateJob(j.job_id, { from: ["running"], set: { progress: 40 } });
    expect(await settleStaleJobs(snapshot)).toEqual({ requeued: 0, failed: 0, skipped: 1 });
    expect(await queuedJobIds(queueUrl)).toEqual([]);
  });
});

describe("stale job sweep on a local table from before the status index", () => {
  it("falls back to a scan and still sweeps", async () => {
    const queueUrl = await freshStage((name) =>
      dynamo()
        .send(
          new CreateTableCommand({
            TableName: name,
            BillingMode: "PAY_PER_REQUEST",
            AttributeDefinitions: [{ AttributeName: "job_id", AttributeType: "S" }],
            KeySchema: [{ AttributeName: "job_id", KeyType: "HASH" }],
          }),
        )
        .then(() => undefined),
    );
    const [lost] = await store(job("running", 10), job("running", 0));
    expect(await sweepStaleJobs(120)).toMatchObject({ requeued: 1, failed: 0 });
    expect(proxy.ops.slice(0, 2)).toEqual(["Query", "Scan"]);
    expect(await queuedJobIds(queueUrl)).toEqual([lost.job_id]);
  });
});
