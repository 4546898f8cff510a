/** The job table's index of a project's jobs by creation time. */
export const PROJECT_INDEX = "by_project";
/** The job table's index of an owner's jobs by creation time (sparse: only jobs carry an owner). */
export const OWNER_INDEX = "by_owner";

export type JobType = "generate_video" | "compose_video" | "generate_asset_images";
export type JobStatus = "queued" | "running" | "succeeded" | "failed" | "canceled";

export const TERMINAL: ReadonlySet<JobStatus> = new Set(["succeeded", "failed", "canceled"]);

export interface JobError {
  code: string;
  message: string;
  reasons?: string[];
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
  created_at: string;
  updated_at: string;
  /** DynamoDB TTL, epoch seconds. */
  expires_at: number;
}
