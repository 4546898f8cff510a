/** The job table's index of a project's jobs by creation time. */
export const PROJECT_INDEX = "by_project";
/**
 * The job table's index of jobs by status and last change, for the sweeper's "queued or running
 * and untouched since …" query. It projects only what the sweep reads.
 */
export const STATUS_INDEX = "by_status";
export const STATUS_INDEX_ATTRIBUTES = ["created_at"];

/** What a render's safety rewrite changed (core/safety-rewrite.ts), kept on the job and in provenance. */
export type SafetyKind = "frame" | "video";
export interface SafetyRewrite {
  kind: SafetyKind;
  /** The prompt the provider refused. */
  original: string;
  /** The prompt sent instead. */
  prompt: string;
  reasons: string[];
  template: { id: number; step: string; name: string; version: number };
  provider: string;
  model: string;
}

export type JobType =
  | "generate_video"
  | "compose_video"
  | "generate_asset_images"
  /** The one-click render: a parent that runs the others as its children (core/render/). */
  | "render_film"
  /** One shot's first frame: drawn, or taken from the previous shot's last frame (chain). */
  | "generate_frame"
  /** A project's storyboards from its script (LLM). */
  | "generate_storyboards"
  /** One shot's narration clip (TTS; core/speech/). */
  | "generate_narration";

/** Every job type, for schemas and tables keyed by type. */
export const JOB_TYPES: readonly JobType[] = [
  "generate_video",
  "compose_video",
  "generate_asset_images",
  "render_film",
  "generate_frame",
  "generate_storyboards",
  "generate_narration",
];
export type JobStatus = "queued" | "running" | "succeeded" | "failed" | "canceled";

export const TERMINAL: ReadonlySet<JobStatus> = new Set(["succeeded", "failed", "canceled"]);

export interface JobError {
  code: string;
  message: string;
  reasons?: string[];
}

/** The latest failure of a step that is being retried, shown while the job is still running. */
export interface StepError extends JobError {
  at: string;
  /** Failed attempts of the current step so far. */
  attempt: number;
}

/** A provider's long-running operation, stored so any worker can resume it. */
export interface OperationRef {
  provider: string;
  name: string;
  started_at: string;
}

export interface Job {
  job_id: string;
  type: JobType;
  status: JobStatus;
  progress: number;
  project_id: number;
  /** Who asked for it: the API key's owner. */
  owner?: string;
  storyboard_id?: number;
  /** What was asked, fixed at creation: the worker never reads it from the request again. */
  input: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: JobError;
  attempts: number;
  operation?: OperationRef;
  /** Set once, by the one worker allowed to start the paid generation. */
  start_claim?: string;
  /** Until then the claimant may still be inside the paid call; later, with no operation saved,
   * the start counts as interrupted. */
  start_lease_until?: string;
  /** Steps taken so far; every queue message names the step it is for, so duplicates of a step
   * that already ran are dropped instead of multiplying. */
  step_seq?: number;
  /** The worker running the current step and until when it may (longer than any step). */
  lease_token?: string;
  lease_until?: string;
  /** The first frame's version a shot video was started from (see core/staleness.ts). */
  frame_version_id?: number | null;
  /** The shot-video cap slot this job holds while active (see slots.ts). */
  video_slot?: string;
  /** Consecutive failed attempts of the current step and the latest error. */
  step_failures?: number;
  last_error?: StepError;
  /** A shot video refused by the safety filter and started again with an LLM-rewritten prompt
   * (only when `input.safety_rewrite`, as the render asks): what was refused and the rewrite. */
  safety_rewrite?: SafetyRewrite & { refused_operation: string };
  /** The render this job is a step of; its end wakes the parent at once. */
  parent_id?: string;
  /** Cancel asked while a paid operation was already running: it is left to finish and kept as
   * a version, not made current, and the job then ends `canceled` (see cancel.ts). */
  cancel_requested?: boolean;
  /** A render's current stage and how far each stage has come. */
  stage?: string;
  steps?: Record<string, { done: number; total: number }>;
  /** A render's own bookkeeping: its children per stage (see core/render/run.ts). */
  render?: Record<string, unknown>;
  /** Where the job's JSON is POSTed, signed, once it ends (see callbacks.ts). */
  callback_url?: string;
  /** Each webhook delivery attempt (`status` null: no HTTP answer). */
  callbacks?: { at: string; status: number | null; attempt: number }[];
  created_at: string;
  updated_at: string;
  /** DynamoDB TTL, epoch seconds. */
  expires_at: number;
}
