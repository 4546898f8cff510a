import { mapLimit } from "../concurrency.ts";
import { AppError } from "../errors.ts";
import { log } from "../log.ts";
import { scheduleCallback } from "./callbacks.ts";
import { readVisibleJob } from "./read.ts";
import { releaseSlotOf } from "./slots.ts";
import { documents, getJob, table, updateJob } from "./store.ts";
import { type Job, PROJECT_INDEX, TERMINAL } from "./types.ts";

/**
 * `POST /jobs/{id}/cancel`. A job that has not started anything paid ends `canceled` at once: a
 * queued one never runs, and a running step loses its lease, so its next write (the claim of a
 * paid start, a stored result) does not happen. A job whose paid start is already claimed may be
 * rendering and billing: it is marked `cancel_requested` and left to finish; its result is kept
 * as a version but not made current, and it then ends `canceled`. Canceling a render cancels its
 * children the same way; a child the render was submitting at that moment ends at its first step
 * (core/jobs/worker.ts). A finished job is a 409.
 */
export async function cancelJob(id: string): Promise<Job> {
  const job = await readVisibleJob(id);
  if (TERMINAL.has(job.status)) {
    throw new AppError(409, "job_finished", `任务 ${job.job_id} 已经结束 (${job.status})`);
  }
  const canceled = await cancelOne(job);
  if (job.type === "render_film") await cancelChildren(job);
  return canceled;
}

/** Cancels one job as it stands now; retried when it moves between the read and the write. */
async function cancelOne(current: Job): Promise<Job> {
  let job: Job | undefined = current;
  for (let attempt = 0; job && !TERMINAL.has(job.status) && attempt < 5; attempt++) {
    const paidStarted = Boolean(job.start_claim || job.operation);
    const written = paidStarted
      ? await updateJob(job.job_id, {
          from: ["queued", "running"],
          set: { cancel_requested: true },
        })
      : await updateJob(job.job_id, {
          from: ["queued", "running"],
          set: { status: "canceled" },
          condition: { expression: "attribute_not_exists(start_claim)" },
        });
    if (written) {
      if (written.status === "canceled") await releaseSlotOf(written);
      if (written.status === "canceled") await scheduleCallback(written);
      return written;
    }
    job = await getJob(job.job_id);
  }
  if (!job) throw new Error(`job ${current.job_id} disappeared while being canceled`);
  return job;
}

/** A render's children that have not ended, wherever they stand (read from the project index,
 * not from the render's own list, which may lag behind a step that was submitting them). */
async function cancelChildren(parent: Job): Promise<void> {
  const children: Job[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents().query<Job>({
      TableName: table(),
      IndexName: PROJECT_INDEX,
      KeyConditionExpression: "project_id = :p",
      FilterExpression: "parent_id = :parent AND #status IN (:q, :r)",
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: {
        ":p": parent.project_id,
        ":parent": parent.job_id,
        ":q": "queued",
        ":r": "running",
      },
      ExclusiveStartKey: start,
    });
    children.push(...page.Items);
    start = page.LastEvaluatedKey;
  } while (start);
  await mapLimit(children, 8, (child) =>
    cancelOne(child).catch((error) =>
      // Not lost: the child's own step sees the canceled render before it pays for anything.
      log.warn("could not cancel a render's child", { child: child.job_id, error }),
    ),
  );
}
