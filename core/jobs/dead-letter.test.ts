import { randomUUID } from "node:crypto";
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { handler as deadLetterHandler } from "../../functions/dead-letter.ts";
import { type Emulators, startEmulators } from "../../functions/local/emulators.ts";
import { startPoller } from "../../functions/local/poller.ts";
import { sqsEventOf } from "../../test/support/sqs.ts";
import { config } from "../config.ts";
import { MAX_RECEIVES } from "./limits.ts";
import { createJob, getJob } from "./store.ts";
import type { Job } from "./types.ts";

let emulators: Emulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators?.stop());

const at = new Date(Date.now() - 60_000).toISOString();
const job = (over: Partial<Job> = {}): Job => ({
  job_id: `job-${randomUUID()}`,
  type: "generate_video",
  status: "running",
  progress: 31,
  project_id: 7,
  input: {},
  attempts: 5,
  created_at: at,
  updated_at: at,
  expires_at: 2_000_000_000,
  ...over,
});

/** A dead-letter queue's event, as Lambda hands it to the subscriber. */
const deadLetters = (...bodies: unknown[]): SQSEvent =>
  sqsEventOf(bodies, "storyboard-job-dead-letters", "dl");

describe("dead-lettered job messages", () => {
  it("fail their job as dead_lettered, with a message that says why and the last error", async () => {
    const running = job({
      step_seq: 2,
      last_error: { code: "download_failed", message: "socket hang up", at, attempt: 4 },
    });
    const queued = job({ status: "queued", progress: 0, attempts: 0 });
    await createJob(running);
    await createJob(queued);
    const res = await deadLetterHandler(
      deadLetters({ job_id: running.job_id, seq: 2 }, { job_id: queued.job_id }),
    );
    expect(res.batchItemFailures).toEqual([]);
    expect(await getJob(running.job_id)).toMatchObject({
      status: "failed",
      error: {
        code: "dead_lettered",
        message: `The worker could not process this job (${MAX_RECEIVES} deliveries failed); it will not be retried. Last error: socket hang up`,
      },
    });
    expect(await getJob(queued.job_id)).toMatchObject({
      status: "failed",
      error: { code: "dead_lettered" },
    });
  });

  it("change nothing for a job that already finished or moved past the message's step", async () => {
    const done = job({ status: "succeeded", progress: 100, result: { url: "u" } });
    const failed = job({ status: "failed", error: { code: "rai_filtered", message: "no" } });
    const movedOn = job({ step_seq: 3 });
    for (const j of [done, failed, movedOn]) await createJob(j);
    const res = await deadLetterHandler(
      deadLetters(
        { job_id: done.job_id },
        { job_id: failed.job_id, seq: 0 },
        { job_id: movedOn.job_id, seq: 2 },
        { job_id: `job-${randomUUID()}` },
        "not json",
      ),
    );
    expect(res.batchItemFailures).toEqual([]);
    expect(await getJob(done.job_id)).toEqual(done);
    expect(await getJob(failed.job_id)).toEqual(failed);
    expect(await getJob(movedOn.job_id)).toEqual(movedOn);
  });
});

describe("the local poller's redrive", () => {
  it("hands a message that failed maxReceives deliveries to the dead-letter handler, which fails its job", async () => {
    const stuck = job({ status: "queued", progress: 0, attempts: 0 });
    await createJob(stuck);
    const sqs = new SQSClient({ region: config().AWS_REGION });
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: emulators.queueUrl,
        MessageBody: JSON.stringify({ job_id: stuck.job_id }),
      }),
    );
    const deliveries: string[] = [];
    const poller = startPoller({
      queueUrl: emulators.queueUrl,
      // A worker whose every attempt hits an infrastructure error.
      handler: async ({ Records }) => {
        deliveries.push(...Records.map((r) => r.attributes.ApproximateReceiveCount));
        return { batchItemFailures: Records.map((r) => ({ itemIdentifier: r.messageId })) };
      },
      maxReceives: 3,
      retryDelaySeconds: 0,
    });
    try {
      await vi.waitFor(async () => expect((await getJob(stuck.job_id))?.status).toBe("failed"), {
        timeout: 15_000,
        interval: 50,
      });
    } finally {
      await poller.stop();
    }
    expect(deliveries).toEqual(["1", "2", "3"]);
    expect((await getJob(stuck.job_id))?.error?.code).toBe("dead_lettered");
    const left = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: emulators.queueUrl, WaitTimeSeconds: 0 }),
    );
    expect(left.Messages ?? []).toEqual([]);
  });
});
