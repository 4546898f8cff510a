/**
 * How much the job machinery does per message and per sweep. Plain constants: infrastructure
 * sizes the queue's redrive and the sweeper's timeout from them, the local stack mirrors them.
 */

/** Deliveries of one message before SQS moves it to the dead-letter queue (its job then fails). */
export const MAX_RECEIVES = 5;

/**
 * An unfinished job untouched this long has lost its message. Longer than any quiet spell a live
 * job has: a message delay (SQS allows up to 15 minutes) or one step (the worker's 15-minute
 * timeout). So the sweeper, every 5 minutes, never races a delayed check or a running step, and a
 * job it re-queued (which bumps `updated_at`) is not queued again before this has passed anew.
 */
export const STALE_AFTER_SECONDS = 20 * 60;

/**
 * Stale jobs one sweep takes per status (queued, running), oldest first. Re-queueing bumps a
 * job's `updated_at`, so a larger backlog drains over the following runs instead of repeating.
 */
export const SWEEP_PAGE = 100;

/**
 * A sweep stops taking jobs after this long. Each job costs at most two requests (a conditional
 * update, a send), about 10 ms each, so a full run of 2 × SWEEP_PAGE jobs takes a few seconds; the
 * budget only matters when DynamoDB or SQS is slow, and leaves the requests in flight time to end.
 */
export const SWEEP_BUDGET_SECONDS = 40;

/** The sweeper Lambda's timeout: the budget plus room for the requests still in flight. */
export const SWEEPER_TIMEOUT_SECONDS = SWEEP_BUDGET_SECONDS + 20;
