import { type Dynamo, dynamo } from "../aws/dynamo.ts";
import { isConditionalCheckFailed } from "../aws/errors.ts";
import { config } from "../config.ts";
import { SWEEP_PAGE } from "./limits.ts";
import { type Job, type JobStatus, PROJECT_INDEX, STATUS_INDEX } from "./types.ts";

export { PROJECT_INDEX };

let client: Dynamo | undefined;
/** The job table's client (shared with the slot records in slots.ts). */
export const documents = () => {
  // Endpoint and region are read from the config on every call (AWS_ENDPOINT_URL_DYNAMODB locally).
  client ??= dynamo();
  return client;
};
export const table = () => config().JOBS_TABLE;

/** Tests and the local stack point the store at a new endpoint. */
export function resetJobStore(): void {
  client = undefined;
}

export const isConflict = isConditionalCheckFailed;

/** Creates the job unless one with this id exists; returns the stored job either way. */
export async function createJob(job: Job): Promise<{ job: Job; created: boolean }> {
  try {
    await documents().putItem({
      TableName: table(),
      Item: job,
      ConditionExpression: "attribute_not_exists(job_id)",
    });
    return { job, created: true };
  } catch (error) {
    if (!isConflict(error)) throw error;
    const existing = await getJob(job.job_id);
    if (!existing) throw error;
    return { job: existing, created: false };
  }
}

export async function getJob(jobId: string): Promise<Job | undefined> {
  const res = await documents().getItem<Job>({
    TableName: table(),
    Key: { job_id: jobId },
    ConsistentRead: true,
  });
  return res.Item;
}

export async function listProjectJobs(projectId: number, limit = 50): Promise<Job[]> {
  const res = await documents().query<Job>({
    TableName: table(),
    IndexName: PROJECT_INDEX,
    KeyConditionExpression: "project_id = :p",
    ExpressionAttributeValues: { ":p": projectId },
    ScanIndexForward: false,
    Limit: limit,
  });
  return res.Items;
}

/** What the sweep reads of a job: all that the status index projects. */
export type StaleJob = Pick<Job, "job_id" | "status" | "created_at" | "updated_at">;

const ACTIVE: JobStatus[] = ["queued", "running"];

/**
 * Up to `limit` queued and up to `limit` running jobs untouched since `before`, oldest first: one
 * query per status on the status index, never a read of the whole table.
 */
export async function listStaleJobs(before: string, limit = SWEEP_PAGE): Promise<StaleJob[]> {
  const stale: StaleJob[] = [];
  try {
    for (const status of ACTIVE) {
      const res = await documents().query<StaleJob>({
        TableName: table(),
        IndexName: STATUS_INDEX,
        KeyConditionExpression: "#status = :s AND updated_at < :before",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: { ":s": status, ":before": before },
        Limit: limit,
      });
      stale.push(...res.Items);
    }
    return stale;
  } catch (error) {
    // A local table from before the status index (never the case in deployed stages).
    if (!/specified index/.test((error as Error).message)) throw error;
    return scanStaleJobs(before, limit);
  }
}

async function scanStaleJobs(before: string, limit: number): Promise<StaleJob[]> {
  const jobs: StaleJob[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await documents().scan<StaleJob>({
      TableName: table(),
      FilterExpression: "#status IN (:q, :r) AND updated_at < :before",
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: { ":q": "queued", ":r": "running", ":before": before },
      ExclusiveStartKey: start,
    });
    jobs.push(...res.Items);
    start = res.LastEvaluatedKey;
  } while (start);
  jobs.sort((a, b) => a.updated_at.localeCompare(b.updated_at));
  return ACTIVE.flatMap((status) => jobs.filter((j) => j.status === status).slice(0, limit));
}

export interface Transition {
  /** The write only happens if the job is in one of these states. */
  from: JobStatus[];
  set: Partial<Omit<Job, "job_id">>;
  /** Extra condition, e.g. that the start was not claimed yet. */
  condition?: { expression: string; values?: Record<string, unknown> };
  remove?: (keyof Job)[];
  incrementAttempts?: boolean;
}

/**
 * A conditional update: no lost updates between workers, and never back out of a terminal state.
 * Returns the updated job, or undefined when the condition did not hold.
 */
export async function updateJob(jobId: string, t: Transition): Promise<Job | undefined> {
  const set = { ...t.set, updated_at: new Date().toISOString() };
  const names: Record<string, string> = { "#status": "status" };
  const values: Record<string, unknown> = { ...t.condition?.values };
  const assignments = Object.entries(set).map(([key, value], i) => {
    names[`#s${i}`] = key;
    values[`:s${i}`] = value;
    return `#s${i} = :s${i}`;
  });
  if (t.incrementAttempts) {
    names["#attempts"] = "attempts";
    values[":one"] = 1;
    assignments.push("#attempts = #attempts + :one");
  }
  t.from.forEach((status, i) => {
    values[`:f${i}`] = status;
  });
  const removals = (t.remove ?? []).map((key, i) => {
    names[`#r${i}`] = key;
    return `#r${i}`;
  });
  const fromList = t.from.map((_, i) => `:f${i}`).join(", ");
  try {
    const res = await documents().updateItem<Job>({
      TableName: table(),
      Key: { job_id: jobId },
      UpdateExpression: `SET ${assignments.join(", ")}${removals.length ? ` REMOVE ${removals.join(", ")}` : ""}`,
      ConditionExpression: `#status IN (${fromList})${t.condition ? ` AND (${t.condition.expression})` : ""}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: "ALL_NEW",
    });
    return res.Attributes;
  } catch (error) {
    if (isConflict(error)) return undefined;
    throw error;
  }
}
