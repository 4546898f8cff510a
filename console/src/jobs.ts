import type { StudioClient } from "@storyboard-studio/client";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiFailure, call, describeError, followJob, isFinished, type Job } from "./api.ts";

/** A job-starting route answers the job (202), or its result when it finished in time (200). */
export function asJob(reply: unknown): Job {
  if (reply && typeof reply === "object" && "job_id" in reply) return reply as Job;
  throw new ApiFailure(502, "unexpected_reply", "The API did not answer a job to follow.");
}

/** How a finished job that did not succeed reads to a person. */
export function jobFailureWords(job: Job): string | null {
  if (job.status === "canceled") return "Canceled.";
  if (job.status !== "failed") return null;
  const reasons = job.error?.reasons?.length ? ` (${job.error.reasons.join("; ")})` : "";
  return `${job.error?.message ?? "The job failed."}${reasons}`;
}

export interface FollowedJob {
  job: Job | null;
  error: string | null;
  /** From the click that submits it until the job ends: what a start button waits on. */
  running: boolean;
  /** Submits a job and follows it to its end. */
  start: (submit: () => Promise<unknown>) => Promise<void>;
  /** Follows a job already running (found when the view opened). */
  resume: (job: Job) => void;
  cancel: () => Promise<void>;
}

/**
 * One job at a time, followed by long-polling (`followJob`) so its progress shows live. Leaving
 * the view stops the polling, never the job; `onEnd` runs once the job has ended, whatever its end.
 */
export function useFollowedJob(api: StudioClient, onEnd: (job: Job) => void): FollowedJob {
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Set while the submit is on its way, before there is a job: a second click must not pay twice.
  const [submitting, setSubmitting] = useState(false);
  const stop = useRef<AbortController | null>(null);
  const ended = useRef(onEnd);
  ended.current = onEnd;
  useEffect(() => () => stop.current?.abort(), []);

  const follow = async (first: Job) => {
    stop.current?.abort();
    const controller = new AbortController();
    stop.current = controller;
    setJob(first);
    try {
      const last = isFinished(first)
        ? first
        : await followJob(api, first.job_id, setJob, controller.signal);
      setError(jobFailureWords(last) === "Canceled." ? null : jobFailureWords(last));
      ended.current(last);
    } catch (failure) {
      if (!controller.signal.aborted) setError(describeError(failure));
    }
  };

  return {
    job,
    error,
    running: submitting || (job !== null && !isFinished(job)),
    start: async (submit) => {
      setError(null);
      setSubmitting(true);
      let submitted: Job;
      try {
        submitted = asJob(await submit());
      } catch (failure) {
        setError(describeError(failure));
        return;
      } finally {
        setSubmitting(false);
      }
      await follow(submitted);
    },
    resume: (running) => void follow(running),
    cancel: async () => {
      if (!job) return;
      try {
        setJob(
          await call(
            api.POST("/api/v1/jobs/{job_id}/cancel", { params: { path: { job_id: job.job_id } } }),
          ),
        );
      } catch (failure) {
        setError(describeError(failure));
      }
    },
  };
}
