import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { config } from "../config.ts";
import { log } from "../log.ts";
import { probe } from "../media/ffmpeg.ts";
import { ProviderError } from "../providers/errors.ts";
import { videoProviderFor } from "../providers/video/index.ts";
import { rewriteForSafety } from "../safety-rewrite.ts";
import { storedPlanOf } from "../shot-video-plan.ts";
import { costOf, recordJobSpendEstimate, settleJobSpend } from "../spend.ts";
import { storageProvider } from "../storage/index.ts";
import { requireLiveStoryboard } from "../storyboards.ts";
import { recordVersion } from "../versions.ts";
import {
  isRetryable,
  JobFailure,
  LeaseLost,
  type Outcome,
  type StepContext,
  StepFailure,
} from "./outcome.ts";
import { nextCheckSeconds, renderProgress, typicalRenderSeconds } from "./polling.ts";
import { shotProvenanceOf, shotSecondsOf, shotVideoInputs } from "./shot-inputs.ts";
import { getJob, updateJob } from "./store.ts";
import type { Job } from "./types.ts";
import { videoWebhook } from "./webhook.ts";

/**
 * The adapter of the model the job was planned with (stored on its input at submit time), so a
 * resumed job checks and downloads through the adapter that started it; a job from before plans
 * uses the configured route.
 */
const videoOf = (job: Job) => videoProviderFor(storedPlanOf(job.input)?.model);

/** Refusals that prove the provider started nothing: the start may be sent again later. */
const NOT_STARTED = new Set(["rate_limited", "unavailable"]);

/** How long a claimant may be inside the paid call: longer than the start request's timeout. */
export const startLeaseMs = () => config().PROVIDER_TIMEOUT_MS + 60_000;

/** When to check a render started `elapsedMs` ago, and its progress (core/jobs/polling.ts). */
function pollPlan(video: { name: string; model: string }, elapsedMs: number) {
  const cfg = config();
  const typicalSeconds = typicalRenderSeconds(video.name, video.model, cfg.OFFLINE_VIDEO_DELAY_MS);
  const elapsedSeconds = elapsedMs / 1000;
  return {
    delaySeconds: nextCheckSeconds({
      elapsedSeconds,
      typicalSeconds,
      overrideSeconds: cfg.VIDEO_POLL_SECONDS,
    }),
    progress: renderProgress(elapsedSeconds, typicalSeconds),
  };
}

const videoSpend = (job: Job, provider: string, model: string) => ({
  jobId: job.job_id,
  // The start after a safety rewrite is a second paid generation: its own row.
  step: job.safety_rewrite ? "video_safety_retry" : "video",
  projectId: job.project_id,
  kind: "video" as const,
  provider,
  model,
  units: { seconds: shotSecondsOf(job) },
});

/**
 * The paid step: everything that can fail harmlessly (database reads, the frame download) comes
 * first; then the start is claimed with a lease, sent once, put on the ledger and saved.
 */
async function start(job: Job): Promise<Outcome> {
  const video = await videoOf(job);
  if (job.start_claim) {
    const leaseEnds = job.start_lease_until
      ? Date.parse(job.start_lease_until)
      : Date.parse(job.updated_at) + startLeaseMs(); // a claim from before leases existed
    // The claimant may still be inside the paid call: leave the job alone and look again later.
    if (leaseEnds > Date.now()) {
      return { kind: "wait", delaySeconds: Math.ceil((leaseEnds - Date.now()) / 1000) + 1 };
    }
    // It stopped between starting and recording: a generation may be running and billed, so it
    // is counted, and not started again.
    await recordJobSpendEstimate(videoSpend(job, providerOf(video), video.model));
    throw new JobFailure({
      code: "start_interrupted",
      message:
        "A worker stopped between starting the video and recording it; it was not restarted to avoid paying twice. Submit the video again.",
    });
  }
  const board = await requireLiveStoryboard(job.storyboard_id as number);
  const { plan, planned, request } = await shotVideoInputs(job, board, video.model);
  const token = randomUUID();
  const claimed = await updateJob(job.job_id, {
    from: ["running"],
    set: {
      start_claim: token,
      start_lease_until: new Date(Date.now() + startLeaseMs()).toISOString(),
      // The frame this video is made from: its version decides when the video is stale.
      frame_version_id: board.frameVersionId,
      // What is sent, when it was decided only now (the ledger and provenance read it).
      ...(planned ? { input: { ...job.input, ...plan } } : {}),
    },
    condition: {
      expression:
        "attribute_not_exists(start_claim) AND attribute_not_exists(operation) AND lease_token = :lt",
      values: { ":lt": job.lease_token },
    },
  });
  if (!claimed) throw new LeaseLost("another worker claimed the start");
  let operation: string;
  try {
    operation = await video.start({
      ...request,
      // After a safety refusal, the rewritten prompt (see retryRefused).
      prompt: job.safety_rewrite?.prompt ?? request.prompt,
      webhook: videoWebhook(job.job_id),
    });
  } catch (error) {
    const failure = error instanceof ProviderError ? error.failure : "uncertain";
    if (NOT_STARTED.has(failure)) {
      // Refused outright, so nothing was started: give the claim back; the step is retried.
      const released = await updateJob(job.job_id, {
        from: ["running"],
        set: {},
        remove: ["start_claim", "start_lease_until"],
        condition: { expression: "start_claim = :t", values: { ":t": token } },
      });
      if (!released) throw new LeaseLost("the start claim changed hands");
      throw error;
    }
    if (failure === "uncertain") {
      await recordJobSpendEstimate(videoSpend(job, video.name, video.model));
      throw new JobFailure({
        code: "start_uncertain",
        message: `${(error as Error).message}. It was not sent again, to avoid paying twice; check the provider's console or submit the video again.`,
      });
    }
    throw error; // Rejected (bad request, auth, blocked): nothing started, nothing to retry.
  }
  // Accepted: saved first (the one thing that must not be lost), then on the ledger at once.
  const saved = await updateJob(job.job_id, {
    from: ["running"],
    set: {
      operation: { provider: video.name, name: operation, started_at: new Date().toISOString() },
    },
    condition: { expression: "start_claim = :t", values: { ":t": token } },
  });
  if (!saved) {
    log.error("a started video could not be recorded on its job", { operation });
    throw new LeaseLost("the job moved on while the video was being started");
  }
  await recordJobSpendEstimate(videoSpend(job, providerOf(video), video.model)).catch((error) =>
    // Not lost: the row is written when the video is settled or fails.
    log.error("could not record the started video on the ledger yet", { error }),
  );
  return { kind: "later", delaySeconds: pollPlan(video, 0).delaySeconds, progress: 10 };
}

const providerOf = (video: { offline: boolean; name: string }) =>
  video.offline ? "offline" : video.name;

async function finish(job: Job, videoRef: string, step: StepContext): Promise<Outcome> {
  const video = await videoOf(job);
  const storage = await storageProvider();
  const dir = await mkdtemp(join(tmpdir(), "shot-"));
  try {
    const file = join(dir, "shot.mp4");
    try {
      await video.download(videoRef, file);
    } catch (error) {
      if (error instanceof ProviderError && !isRetryable(error)) throw error;
      throw new StepFailure(
        "download_failed",
        `Downloading the finished video failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
    // Its stream parameters, kept with the version: the final cut reads them instead of probing
    // every clip again. A clip ffprobe cannot read is still stored (the cut probes it then).
    const media = await probe(file).catch((error) => {
      log.warn("could not probe a finished shot video", { error });
      return undefined;
    });
    // Nothing below may happen for a job that finished meanwhile or that another worker owns.
    await step.holdLease();
    let url: string;
    try {
      url = await storage.putFile(
        `projects/${job.project_id}/videos/${job.job_id}.mp4`,
        file,
        "video/mp4",
      );
    } catch (error) {
      throw new StepFailure(
        "store_failed",
        `Storing the video failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
    await step.holdLease();
    await settleJobSpend(videoSpend(job, providerOf(video), video.model));
    const shotPrompt = String(job.input.shot_prompt);
    const frameVersionId = job.frame_version_id ?? null;
    const made = shotProvenanceOf(job);
    // Canceled while it rendered: kept as a version the user may select, not made current.
    const canceled = Boolean((await getJob(job.job_id))?.cancel_requested);
    await recordVersion(
      {
        projectId: job.project_id,
        storyboardId: job.storyboard_id as number,
        kind: "video",
        url,
        source: "generated",
        provenance: {
          provider: providerOf(video),
          model: video.model,
          prompt: job.safety_rewrite?.prompt ?? made.prompt,
          template: null,
          ...(job.safety_rewrite ? { safety_rewrite: job.safety_rewrite } : {}),
          input_versions: { frame: frameVersionId, ...made.continuity },
          ...made.used,
          cost_usd: costOf(
            "video",
            providerOf(video),
            { seconds: shotSecondsOf(job) },
            video.model,
          ),
          job_id: job.job_id,
          operation: job.operation?.name,
          ...(media ? { media } : {}),
        },
        inputs: { frame_version_id: frameVersionId, shot_prompt: shotPrompt },
      },
      { shotPrompt },
      { keepPointer: canceled },
    );
    return {
      kind: "done",
      canceled,
      result: {
        shot_video_url: url,
        provenance: {
          provider: job.operation?.provider,
          model: video.model,
          prompt: job.safety_rewrite?.prompt ?? made.prompt,
          ...(job.safety_rewrite ? { safety_rewrite: job.safety_rewrite } : {}),
          frame_url: job.input.frame_image_url,
          ...made.continuity,
          ...made.used,
          operation: job.operation?.name,
        },
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One step of a shot video: start the paid generation once, then check back until done. */
export async function runShotVideo(
  job: Job,
  _report: StepContext["report"],
  step: StepContext,
): Promise<Outcome> {
  if (!job.operation) return start(job);
  const cfg = config();
  const elapsed = Date.now() - Date.parse(job.operation.started_at);
  if (elapsed > cfg.VIDEO_TIMEOUT_MINUTES * 60_000) {
    throw new JobFailure({
      code: "timeout",
      message: `No video after ${cfg.VIDEO_TIMEOUT_MINUTES} minutes`,
    });
  }
  const video = await videoOf(job);
  const state = await video.check(job.operation.name);
  if (state.state === "pending") {
    const plan = pollPlan(video, elapsed);
    const progress = Math.max(10, Math.min(90, state.progress ?? plan.progress));
    return { kind: "later", delaySeconds: plan.delaySeconds, progress };
  }
  if (state.state === "failed") {
    // The provider ran the paid operation; whether it bills a failed one is its call: counted.
    await recordJobSpendEstimate(videoSpend(job, job.operation.provider, video.model));
    if (state.failure === "blocked" && job.input.safety_rewrite === true && !job.safety_rewrite) {
      const retry = await retryRefused(
        job,
        state.reasons?.length ? state.reasons : [state.message],
      );
      if (retry) return retry;
    }
    throw new JobFailure({
      code: state.failure === "blocked" ? "rai_filtered" : "operation_failed",
      message: job.safety_rewrite
        ? `${state.message} (refused again after one safety rewrite of the prompt)`
        : state.message,
      ...(state.reasons?.length ? { reasons: state.reasons } : {}),
    });
  }
  return finish(job, state.video, step);
}

/**
 * A render's shot video refused by the safety filter: its prompt is rewritten once by the LLM
 * (core/safety-rewrite.ts) and the job goes back to its paid start, which sends the rewrite. The
 * refused operation is forgotten in the same write that records the rewrite, so the start claims
 * anew; a crash before that write just checks the refused operation again. Undefined when the
 * rewrite itself failed: the refusal stands.
 */
async function retryRefused(job: Job, reasons: string[]): Promise<Outcome | undefined> {
  const operation = job.operation as NonNullable<Job["operation"]>;
  let rewrite: Awaited<ReturnType<typeof rewriteForSafety>>;
  try {
    rewrite = await rewriteForSafety({
      storyboardId: job.storyboard_id as number,
      kind: "video",
      prompt: shotProvenanceOf(job).prompt,
      reasons,
    });
  } catch (error) {
    log.warn("safety rewrite failed; the refusal stands", { error });
    return undefined;
  }
  const reset = await updateJob(job.job_id, {
    from: ["running"],
    set: { safety_rewrite: { ...rewrite, refused_operation: operation.name } },
    remove: ["operation", "start_claim", "start_lease_until"],
    // Only while this worker holds the step: the operation cannot change under it.
    condition: { expression: "lease_token = :lt", values: { ":lt": job.lease_token } },
  });
  if (!reset) throw new LeaseLost("the job moved on while its prompt was being rewritten");
  return { kind: "later", delaySeconds: 0, progress: 10 };
}
