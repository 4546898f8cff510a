import { log } from "../log.ts";
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
  const res = await documents().getItem<ActiveRecord>({
    TableName: table(),
    Key: { job_id: key },
    ConsistentRead: true,
  });
  const record = res.Item;
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
    const res = await documents().getItem<ActiveRecord>({
      TableName: table(),
      Key: { job_id: key },
      ConsistentRead: true,
    });
    const current = res.Item;
    if (current && current.holder !== jobId) {
      const held = await getJob(current.holder);
      if (isActive(held)) return held.job_id;
      // Claimed a moment ago by a request still creating its job: that job is the answer.
      if (!held && Date.now() - Date.parse(current.since) < CREATING_MS) return current.holder;
    }
    await options.afterRead?.();
    try {
      await documents().putItem({
        TableName: table(),
        Item: {
          job_id: key,
          holder: jobId,
          since: new Date().toISOString(),
          expires_at: expiresAt,
        },
        ConditionExpression: current ? "holder = :old" : "attribute_not_exists(job_id)",
        ...(current ? { ExpressionAttributeValues: { ":old": current.holder } } : {}),
      });
      return jobId;
    } catch (error) {
      if (!isConflict(error)) throw error;
      // Someone else wrote the record between our read and write: read again and answer with it.
    }
  }
  throw new Error(`could not settle ${key} after 5 attempts`);
}

const capKey = (owner: string) => `videos#${owner}`;

/** A slot names its job and when it was taken: `<job id>@<epoch ms>`. */
const slotOf = (jobId: string) => `${jobId}@${Date.now()}`;
const parseSlot = (slot: string) => {
  const at = slot.lastIndexOf("@");
  return { jobId: slot.slice(0, at), takenAt: Number(slot.slice(at + 1)) };
};

/**
 * Adds a slot for `jobId` to the owner's active shot videos if fewer than `cap` are taken. When
 * the set is full, slots of jobs that have ended (or were never created) are cleared first, so a
 * lost release never blocks an owner. Returns the slot, to be stored on the job and given back.
 */
export async function reserveVideoSlot(
  owner: string,
  jobId: string,
  cap: number,
): Promise<{ slot?: string; active: number }> {
  const slot = slotOf(jobId);
  const add = async () => {
    try {
      await documents().updateItem({
        TableName: table(),
        Key: { job_id: capKey(owner) },
        UpdateExpression: "ADD active :slot",
        ConditionExpression: "attribute_not_exists(active) OR size(active) < :cap",
        ExpressionAttributeValues: { ":slot": new Set([slot]), ":cap": cap },
      });
      return true;
    } catch (error) {
      if (!isConflict(error)) throw error;
      return false;
    }
  };
  if (await add()) return { slot, active: 0 };
  const res = await documents().getItem<{ active?: Set<string> }>({
    TableName: table(),
    Key: { job_id: capKey(owner) },
    ConsistentRead: true,
  });
  const slots = [...(res.Item?.active ?? [])];
  const jobs = await Promise.all(slots.map((s) => getJob(parseSlot(s).jobId)));
  const ended = slots.filter((s, i) => {
    const job = jobs[i];
    // A job not written yet may be one being submitted right now: only an old one is gone.
    if (!job) return Date.now() - parseSlot(s).takenAt > CREATING_MS;
    return TERMINAL.has(job.status);
  });
  if (ended.length === 0) return { active: slots.length };
  await releaseVideoSlots(owner, ended);
  if (await add()) return { slot, active: 0 };
  return { active: slots.length - ended.length };
}

/** Gives slots back (idempotent: a slot already cleared is simply not there). */
export async function releaseVideoSlots(owner: string, slots: string[]): Promise<void> {
  if (slots.length === 0) return;
  await documents().updateItem({
    TableName: table(),
    Key: { job_id: capKey(owner) },
    UpdateExpression: "DELETE active :slots",
    ExpressionAttributeValues: { ":slots": new Set(slots) },
  });
}

/** Once a job has ended, wherever it ended (worker, sweeper, dead letters): its slot is free. */
export async function releaseSlotOf(job: Job): Promise<void> {
  if (!job.video_slot || !job.owner) return;
  await releaseVideoSlots(job.owner, [job.video_slot]).catch((error) =>
    log.warn("could not release the video slot; it is cleared at the next submit", { error }),
  );
}
