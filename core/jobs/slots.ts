import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { documents, getJob, isConflict, table } from "./store.ts";
import { type Job, TERMINAL } from "./types.ts";

/**
 * Two small records beside the jobs, in the same table (keys outside every index):
 * - `active#…` points at the job doing one piece of work right now, so a double click on the same
 *   request answers with the job already in flight instead of paying for a second one;
 * - `videos#<owner>` holds the ids of an owner's active shot videos, so the cap holds under
 *   simultaneous submits (a conditional write on the set's size, not a count read beforehand).
 * Both heal themselves: a record pointing at a finished or missing job is simply overwritten.
 */

interface ActiveRecord {
  job_id: string;
  holder: string;
  since: string;
  expires_at: number;
}

/** A holder that is not a job yet may be one being created right now: give it this long. */
const CREATING_MS = 30_000;

const isActive = (job: Job | undefined): job is Job => Boolean(job && !TERMINAL.has(job.status));

/** The job an `active#` record points at, if it is still queued or running. */
export async function activeJobFor(key: string): Promise<Job | undefined> {
  const res = await documents().send(
    new GetCommand({ TableName: table(), Key: { job_id: key }, ConsistentRead: true }),
  );
  const record = res.Item as ActiveRecord | undefined;
  if (!record) return undefined;
  const job = await getJob(record.holder);
  return isActive(job) ? job : undefined;
}

export interface ClaimOptions {
  /** Runs between reading the record and the conditional write: tests interleave a rival here. */
  afterRead?: () => Promise<void>;
}

/**
 * Points `key` at `jobId` unless an active job already holds it. Returns the id that holds the
 * key afterwards: `jobId` when this call won, the rival's otherwise.
 */
export async function claimActive(
  key: string,
  jobId: string,
  expiresAt: number,
  options: ClaimOptions = {},
): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const res = await documents().send(
      new GetCommand({ TableName: table(), Key: { job_id: key }, ConsistentRead: true }),
    );
    const current = res.Item as ActiveRecord | undefined;
    if (current && current.holder !== jobId) {
      const held = await getJob(current.holder);
      if (isActive(held)) return held.job_id;
      // Claimed a moment ago by a request still creating its job: that job is the answer.
      if (!held && Date.now() - Date.parse(current.since) < CREATING_MS) return current.holder;
    }
    await options.afterRead?.();
    try {
      await documents().send(
        new PutCommand({
          TableName: table(),
          Item: {
            job_id: key,
            holder: jobId,
            since: new Date().toISOString(),
            expires_at: expiresAt,
          },
          ConditionExpression: current ? "holder = :old" : "attribute_not_exists(job_id)",
          ...(current ? { ExpressionAttributeValues: { ":old": current.holder } } : {}),
        }),
      );
      return jobId;
    } catch (error) {
      if (!isConflict(error)) throw error;
      // Someone else wrote the record between our read and write: read again and answer with it.
    }
  }
  throw new Error(`could not settle ${key} after 5 attempts`);
}

const capKey = (owner: string) => `videos#${owner}`;

/**
 * Adds `jobId` to the owner's active shot videos if fewer than `cap` are there. Ids of jobs that
 * have ended are cleared first when the set is full, so a lost release never blocks an owner.
 */
export async function reserveVideoSlot(
  owner: string,
  jobId: string,
  cap: number,
): Promise<{ reserved: boolean; active: number }> {
  const add = () =>
    documents().send(
      new UpdateCommand({
        TableName: table(),
        Key: { job_id: capKey(owner) },
        UpdateExpression: "ADD active :id",
        ConditionExpression: "attribute_not_exists(active) OR size(active) < :cap",
        ExpressionAttributeValues: { ":id": new Set([jobId]), ":cap": cap },
      }),
    );
  try {
    await add();
    return { reserved: true, active: 0 };
  } catch (error) {
    if (!isConflict(error)) throw error;
  }
  const res = await documents().send(
    new GetCommand({ TableName: table(), Key: { job_id: capKey(owner) }, ConsistentRead: true }),
  );
  const ids = [...((res.Item?.active as Set<string> | undefined) ?? [])];
  const jobs = await Promise.all(ids.map((id) => getJob(id)));
  const ended = ids.filter((_, i) => !isActive(jobs[i]));
  if (ended.length === 0) return { reserved: false, active: ids.length };
  await releaseVideoSlots(owner, ended);
  try {
    await add();
    return { reserved: true, active: 0 };
  } catch (error) {
    if (!isConflict(error)) throw error;
    return { reserved: false, active: ids.length - ended.length };
  }
}

/** Removes job ids from the owner's active shot videos (idempotent). */
export async function releaseVideoSlots(owner: string, jobIds: string[]): Promise<void> {
  if (jobIds.length === 0) return;
  await documents().send(
    new UpdateCommand({
      TableName: table(),
      Key: { job_id: capKey(owner) },
      UpdateExpression: "DELETE active :ids",
      ExpressionAttributeValues: { ":ids": new Set(jobIds) },
    }),
  );
}
