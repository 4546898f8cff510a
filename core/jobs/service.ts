import { createHash, randomUUID } from "node:crypto";
import { currentOwner, LOCAL_OWNER } from "../auth.ts";
import { config } from "../config.ts";
import { AppError, badRequest } from "../errors.ts";
import { log } from "../log.ts";
import { requireLiveProject } from "../projects.ts";
import { planShotVideo } from "../shot-video-plan.ts";
import { projectClips } from "./final-cut.ts";
import { enqueueJob } from "./queue.ts";
import { activeJobFor, claimActive, releaseVideoSlots, reserveVideoSlot } from "./slots.ts";
import { createJob, getJob, updateJob } from "./store.ts";
import type { Job, JobType } from "./types.ts";

/** A retried request with the same Idempotency-Key maps to the same job, never a second one. */
function jobIdFor(type: JobType, scope: string, key?: string): string {
  if (!key) return randomUUID();
  const hex = createHash("sha256").update(`${type}\n${scope}\n${key}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The same piece of work asked for again while it runs is the same job (a double click). */
function activeKeyFor(type: JobType, owner: string, scope: string, input: Record<string, unknown>) {
  const hash = createHash("sha256")
    .update(JSON.stringify([type, owner, scope, input]))
    .digest("hex")
    .slice(0, 32);
  return `active#${hash}`;
}

interface SubmitOptions {
  storyboardId?: number;
  idempotencyKey?: string;
  /** Whose work it is: the request's owner, or a render's owner for its children. */
  owner?: string;
  /** The render a child job is a step of. */
  parentId?: string;
  /** Runs once the job is known to be new and before it is written, e.g. to take a cap slot;
   * returns fields for the job and how to give the reservation back if the job is not made. */
  /** Checked by the route (callbacks.ts checkCallbackUrl); not part of what makes work the same. */
  callbackUrl?: string;
  reserve?: (jobId: string) => Promise<{ set: Partial<Job>; release: () => Promise<void> }>;
}

async function submit(
  type: JobType,
  projectId: number,
  input: Record<string, unknown>,
  options: SubmitOptions,
): Promise<{ job: Job; created: boolean }> {
  const owner = options.owner ?? currentOwner() ?? LOCAL_OWNER;
  const scope = `${projectId}/${options.storyboardId ?? ""}`;
  const now = new Date();
  const expiresAt = Math.floor(now.getTime() / 1000) + config().JOB_TTL_DAYS * 86_400;
  const job: Job = {
    job_id: jobIdFor(type, scope, options.idempotencyKey),
    type,
    status: "queued",
    progress: 0,
    project_id: projectId,
    owner,
    ...(options.storyboardId ? { storyboard_id: options.storyboardId } : {}),
    ...(options.parentId ? { parent_id: options.parentId } : {}),
    ...(options.callbackUrl ? { callback_url: options.callbackUrl } : {}),
    input,
    attempts: 0,
    step_seq: 0,
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
    expires_at: expiresAt,
  };
  // Distinct Idempotency-Keys are distinct requests (e.g. two takes of one shot on purpose).
  const key = activeKeyFor(type, owner, `${scope}#${options.idempotencyKey ?? ""}`, input);
  const inFlight = await activeJobFor(key);
  if (inFlight) return { job: inFlight, created: false };
  const existing = options.idempotencyKey ? await getJob(job.job_id) : undefined;
  if (existing) return { job: existing, created: false };
  const reservation = await options.reserve?.(job.job_id);
  Object.assign(job, reservation?.set);
  const release = reservation?.release ?? (async () => {});
  const holder = await claimActive(key, job.job_id, expiresAt);
  if (holder !== job.job_id) {
    await release();
    return { job: await jobBeingCreated(holder), created: false };
  }
  const stored = await createJob(job);
  if (!stored.created) {
    await release();
    return stored;
  }
  try {
    await enqueueJob(job.job_id, 0, 0);
  } catch (error) {
    // Never leave a job queued that no worker will ever see.
    log.error("enqueue failed", { jobId: job.job_id, error });
    await updateJob(job.job_id, {
      from: ["queued"],
      set: {
        status: "failed",
        error: { code: "queue_unavailable", message: "The job queue is unavailable" },
      },
    });
    await release();
    throw new AppError(503, "queue_unavailable", "The job queue is unavailable; try again shortly");
  }
  return stored;
}

/** A rival request claimed the work a moment ago; its job record follows within moments. */
async function jobBeingCreated(jobId: string): Promise<Job> {
  for (let delay = 50; delay < 2000; delay *= 2) {
    const job = await getJob(jobId);
    if (job) return job;
    await new Promise((r) => setTimeout(r, delay));
  }
  throw new AppError(
    409,
    "submit_in_progress",
    "The same request is being submitted right now; retry in a moment",
  );
}

/**
 * Validates before anything is queued: a job that can only fail is refused with a 4xx now (no
 * first frame and no usable references, a last frame or references the model cannot take). The
 * plan — settings, style, continuity inputs, what was mapped — is the job's input.
 */
export async function submitShotVideo(
  storyboardId: number,
  shotPrompt: string,
  idempotencyKey?: string,
  /** The video model asked for; the project's `video_model` when absent. */
  model?: string,
  callbackUrl?: string,
) {
  // The plan (the chosen model with it) is the job's input: a resumed job uses the same adapter.
  const { project_id: projectId, ...plan } = await planShotVideo(storyboardId, shotPrompt, model);
  const owner = currentOwner() ?? LOCAL_OWNER;
  return submit(
    "generate_video",
    projectId,
    { ...plan },
    {
      storyboardId,
      idempotencyKey,
      callbackUrl,
      // A hard cap: the slot is taken with a conditional write, so simultaneous submits cannot
      // both pass; it is given back when the job ends (and cleared lazily if that was missed).
      reserve: async (jobId) => {
        const cap = config().MAX_ACTIVE_VIDEO_JOBS;
        const { slot, active } = await reserveVideoSlot(owner, jobId, cap);
        if (!slot) {
          throw new AppError(
            429,
            "too_many_video_jobs",
            `${active} shot videos are already queued or rendering (limit ${cap}); retry when one finishes`,
            undefined,
            { "retry-after": "30" },
          );
        }
        return { set: { video_slot: slot }, release: () => releaseVideoSlots(owner, [slot]) };
      },
    },
  );
}

export async function submitFinalCut(
  projectId: number,
  idempotencyKey?: string,
  callbackUrl?: string,
) {
  await requireLiveProject(projectId);
  if ((await projectClips(projectId)).withVideo.length === 0) {
    throw badRequest("no_videos", `项目 ${projectId} 的分镜都没有生成视频`);
  }
  return submit("compose_video", projectId, {}, { idempotencyKey, callbackUrl });
}

export async function submitAssetBatch(
  projectId: number,
  idempotencyKey?: string,
  callbackUrl?: string,
) {
  await requireLiveProject(projectId);
  return submit("generate_asset_images", projectId, {}, { idempotencyKey, callbackUrl });
}

/** The one-click render's parent job; core/render/submit.ts plans and prices it first. */
export function submitRenderJob(
  projectId: number,
  input: Record<string, unknown>,
  idempotencyKey?: string,
  callbackUrl?: string,
) {
  return submit("render_film", projectId, input, { idempotencyKey, callbackUrl });
}

/**
 * A step of a render as a child job on the same queue: the render's owner, the render as its
 * parent, and a key per step, so a redelivered render step finds the child it already made.
 */
export function submitChild(
  parent: Job,
  type: JobType,
  key: string,
  input: Record<string, unknown>,
  storyboardId?: number,
) {
  return submit(type, parent.project_id, input, {
    storyboardId,
    idempotencyKey: `${parent.job_id}/${key}`,
    owner: parent.owner ?? LOCAL_OWNER,
    parentId: parent.job_id,
  });
}

class CapFull extends Error {}

/**
 * A render's shot video takes a slot of the owner's cap like any other. When none is free it is
 * not refused: the answer is undefined and the render submits it again once a slot frees.
 */
export async function submitChildVideo(
  parent: Job,
  key: string,
  storyboardId: number,
  input: Record<string, unknown>,
): Promise<Job | undefined> {
  const owner = parent.owner ?? LOCAL_OWNER;
  try {
    const { job } = await submit("generate_video", parent.project_id, input, {
      storyboardId,
      idempotencyKey: `${parent.job_id}/${key}`,
      owner,
      parentId: parent.job_id,
      reserve: async (jobId) => {
        const { slot } = await reserveVideoSlot(owner, jobId, config().MAX_ACTIVE_VIDEO_JOBS);
        if (!slot) throw new CapFull();
        return { set: { video_slot: slot }, release: () => releaseVideoSlots(owner, [slot]) };
      },
    });
    return job;
  } catch (error) {
    if (error instanceof CapFull) return undefined;
    throw error;
  }
}
