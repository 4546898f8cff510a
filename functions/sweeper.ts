import { sweepStaleJobs } from "../core/jobs/sweep.ts";

/** Runs on a schedule (every few minutes) next to the worker. */
export const handler = () => sweepStaleJobs();
