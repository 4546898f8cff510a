import { SYSTEM_PRINCIPAL, withPrincipal } from "../core/auth.ts";
import { sweepStaleJobs } from "../core/jobs/sweep.ts";

/** Runs on a schedule (every few minutes) next to the worker, acting for the system. */
export const handler = () => withPrincipal(SYSTEM_PRINCIPAL, () => sweepStaleJobs());
