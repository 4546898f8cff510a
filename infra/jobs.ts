import { MAX_RECEIVES } from "../core/jobs/limits";
import { PROJECT_INDEX, STATUS_INDEX, STATUS_INDEX_ATTRIBUTES } from "../core/jobs/types";

/**
 * Job records: conditional writes, a project index for GET /projects/{id}/jobs, a status index for
 * the sweeper, TTL cleanup. (The active-video cap is a conditional set, core/jobs/slots.ts.)
 */
export const jobsTable = new sst.aws.Dynamo("Jobs", {
  fields: {
    job_id: "string",
    project_id: "number",
    created_at: "string",
    status: "string",
    updated_at: "string",
  },
  primaryIndex: { hashKey: "job_id" },
  globalIndexes: {
    [PROJECT_INDEX]: { hashKey: "project_id", rangeKey: "created_at" },
    [STATUS_INDEX]: {
      hashKey: "status",
      rangeKey: "updated_at",
      projection: STATUS_INDEX_ATTRIBUTES,
    },
  },
  ttl: "expires_at",
});

export const WORKER_TIMEOUT_MINUTES = 15;

/**
 * Messages a worker failed MAX_RECEIVES times go here; a subscriber (infra/worker.ts) marks their
 * jobs failed as `dead_lettered`, and infra/alarms.ts tells someone.
 */
export const deadLetters = new sst.aws.Queue("JobDeadLetters");

export const jobQueue = new sst.aws.Queue("JobQueue", {
  // Must be at least the worker's timeout, or a slow step would be delivered twice meanwhile.
  visibilityTimeout: `${WORKER_TIMEOUT_MINUTES + 1} minutes`,
  dlq: { queue: deadLetters.arn, retry: MAX_RECEIVES },
});
