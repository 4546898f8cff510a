/** How a job handler tells the worker how far it is; the worker writes it to the job. */
export type Report = (progress: number) => Promise<void>;

export interface ProgressOptions {
  /** Write when progress moved this many points since the last write... */
  step?: number;
  /** ...or when it moved at all and this long has passed since the last write. */
  intervalMs?: number;
  /** The value already on the job (the worker just wrote it). */
  start?: number;
  now?: () => number;
}

export interface Progress {
  /** Records how far the step is (0–99; 100 is the worker's, on success). Never blocks. */
  set(value: number): void;
  /** A phase from `from` to `to`: `part(f)` sets the point at share f (0–1) of it. */
  phase(from: number, to: number): (fraction: number) => void;
  /** Waits for the writes handed out so far; rethrows the first one that failed. */
  settle(): Promise<void>;
}

/**
 * Progress for a long step, written through the worker's `report`. Every write also refreshes
 * the job's `updated_at`, which the stale-job sweeper reads, so a long step must keep writing;
 * but byte- and frame-level callbacks come far too often for a database, so writes are
 * throttled (a few points or a few seconds apart), never run two at a time, and only move up.
 */
export function throttledProgress(report: Report, options: ProgressOptions = {}): Progress {
  const { step = 5, intervalMs = 3000, now = Date.now } = options;
  let written = options.start ?? 0;
  let writtenAt = now();
  let chain: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | undefined;
  const set = (value: number) => {
    const next = Math.max(0, Math.min(99, Math.floor(value)));
    if (next <= written) return;
    if (next - written < step && now() - writtenAt < intervalMs) return;
    written = next;
    writtenAt = now();
    chain = chain
      .then(() => (failure ? undefined : report(next)))
      .catch((error: unknown) => {
        failure ??= { error };
      });
  };
  return {
    set,
    phase: (from, to) => (fraction) => set(from + (to - from) * Math.max(0, Math.min(1, fraction))),
    async settle() {
      await chain;
      if (failure) throw failure.error;
    },
  };
}
