import { OWNER_INDEX, PROJECT_INDEX } from "../core/jobs/types";

/** Job records: conditional writes, a project index for GET /projects/{id}/jobs, TTL cleanup. */
export const jobsTable = new sst.aws.Dynamo("Jobs", {
  fields: { job_id: "string", project_id: "number", owner: "string", created_at: "string" },
  primaryIndex: { hashKey: "job_id" },
  globalIndexes: {
    [PROJECT_INDEX]: { hashKey: "project_id", rangeKey: "created_at" },
    [OWNER_INDEX]: { hashKey: "owner", rangeKey: "created_at" },
  },
  ttl: "expires_at",
});

export const WORKER_TIMEOUT_MINUTES = 15;

/** Messages a worker failed five times go aside for inspection instead of looping. */
export const deadLetters = new sst.aws.Queue("JobDeadLetters");

export const jobQueue = new sst.aws.Queue("JobQueue", {
  // Must be at least the worker's timeout, or a slow step would be delivered twice meanwhile.
  visibilityTimeout: `${WORKER_TIMEOUT_MINUTES + 1} minutes`,
  dlq: { queue: deadLetters.arn, retry: 5 },
});
