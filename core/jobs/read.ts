import { AppError } from "../errors.ts";
import { requireLiveProject } from "../projects.ts";
import { getJob, listProjectJobs } from "./store.ts";
import { type Job, TERMINAL } from "./types.ts";

/** Seconds a client should wait before asking again about a job still queued or running. */
export const POLL_SECONDS = 2;

export const jobNotFound = (id: string) => new AppError(404, "not_found", `任务 ${id} 不存在`);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The job, if the caller may see it. Ids are UUIDs, matched in any letter case; any other
 * spelling, a missing job and another owner's job are all the same 404, without a store lookup
 * for ids that cannot exist.
 */
export async function readVisibleJob(id: string): Promise<Job> {
  const canonical = id.toLowerCase();
  const job = UUID.test(canonical) ? await getJob(canonical) : undefined;
  const visible =
    job &&
    (await requireLiveProject(job.project_id).then(
      () => true,
      (error: unknown) => {
        if (error instanceof AppError && error.status === 404) return false;
        throw error;
      },
    ));
  if (!job || !visible) throw jobNotFound(id.slice(0, 100));
  return job;
}

/**
 * For `GET /jobs/{id}`: the visible job, after waiting up to `waitSeconds` for it to end
 * (`Prefer: wait=N`), and whether it is still going (then the client gets a poll hint).
 */
export async function pollJob(
  id: string,
  waitSeconds: number,
): Promise<{ job: Job; pending: boolean }> {
  let job = await readVisibleJob(id);
  if (waitSeconds > 0 && !TERMINAL.has(job.status)) job = await waitForJob(job.job_id, waitSeconds);
  return { job, pending: !TERMINAL.has(job.status) };
}

/** Polls the job until it ends or `seconds` pass (for `Prefer: wait=N`). */
export async function waitForJob(jobId: string, seconds: number): Promise<Job> {
  const deadline = Date.now() + seconds * 1000;
  for (let delay = 100; ; delay = Math.min(delay * 1.5, 1000)) {
    const job = await getJob(jobId);
    if (!job) throw jobNotFound(jobId);
    if (TERMINAL.has(job.status) || Date.now() + delay > deadline) return job;
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** A live project's jobs, newest first (the project must be the caller's). */
export async function projectJobs(projectId: number): Promise<Job[]> {
  await requireLiveProject(projectId);
  return listProjectJobs(projectId);
}
