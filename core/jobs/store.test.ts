import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulators, startEmulators } from "../../functions/local/emulators.ts";
import { config } from "../config.ts";
import { enqueueJob } from "./queue.ts";
import { createJob, getJob, listProjectJobs, updateJob } from "./store.ts";
import type { Job } from "./types.ts";

let emulators: Emulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators?.stop());

let n = 0;
const job = (over: Partial<Job> = {}): Job => {
  const at = new Date(Date.UTC(2026, 10, 23, 10, 0, n++)).toISOString();
  return {
    job_id: `job-${n}-${Math.random().toString(36).slice(2)}`,
    type: "generate_video",
    status: "queued",
    progress: 0,
    project_id: 7,
    input: { shot_prompt: "pan" },
    attempts: 0,
    created_at: at,
    updated_at: at,
    expires_at: 2_000_000_000,
    ...over,
  };
};

describe("job store on DynamoDB (real SDK, local server)", () => {
  it("creates once: a second create with the same id returns the stored job", async () => {
    const first = job();
    expect(await createJob(first)).toEqual({ job: first, created: true });
    const again = await createJob({ ...first, input: { shot_prompt: "different" } });
    expect(again.created).toBe(false);
    expect(again.job.input).toEqual({ shot_prompt: "pan" });
  });

  it("moves only along allowed transitions, and never out of a terminal state", async () => {
    const j = job();
    await createJob(j);
    const running = await updateJob(j.job_id, {
      from: ["queued"],
      set: { status: "running" },
      incrementAttempts: true,
    });
    expect(running).toMatchObject({ status: "running", attempts: 1 });
    expect(
      await updateJob(j.job_id, { from: ["queued"], set: { status: "running" } }),
    ).toBeUndefined();
    const done = await updateJob(j.job_id, {
      from: ["running"],
      set: { status: "succeeded", progress: 100, result: { url: "u" } },
    });
    expect(done?.status).toBe("succeeded");
    expect(
      await updateJob(j.job_id, { from: ["running", "queued"], set: { status: "failed" } }),
    ).toBeUndefined();
    expect((await getJob(j.job_id))?.status).toBe("succeeded");
  });

  it("lets exactly one of many concurrent workers claim the paid start", async () => {
    const j = job({ status: "running" });
    await createJob(j);
    const claims = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        updateJob(j.job_id, {
          from: ["running"],
          set: { start_claim: `worker-${i}` },
          condition: { expression: "attribute_not_exists(start_claim)" },
        }),
      ),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it("lists a project's jobs newest first through the project index", async () => {
    const older = job({ project_id: 99 });
    const newer = job({ project_id: 99 });
    await createJob(older);
    await createJob(newer);
    await createJob(job({ project_id: 100 }));
    expect((await listProjectJobs(99)).map((x) => x.job_id)).toEqual([newer.job_id, older.job_id]);
  });

  it("queues job messages on SQS, honouring delays", async () => {
    await enqueueJob("job-now");
    await enqueueJob("job-later", 30);
    const sqs = new SQSClient({ region: config().AWS_REGION });
    const res = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: emulators.queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    expect((res.Messages ?? []).map((m) => JSON.parse(m.Body ?? "{}").job_id)).toEqual(["job-now"]);
  });
});
