import { ProviderError } from "./errors.ts";

/** One provider operation's time budget: every attempt, backoff and repair round draws on it. */
export interface Deadline {
  /** Fires when the budget is spent; SDK calls take it so no request starts (or lingers) after. */
  signal: AbortSignal;
  /** What is left, at least 1 ms: the timeout of the next attempt. */
  remainingMs(): number;
}

/**
 * Runs a provider operation under one overall deadline (PROVIDER_TIMEOUT_MS, below the API
 * Lambda's timeout), so a slow provider is our 504 `provider_timeout`, not API Gateway's 503.
 * The answer comes at the deadline even while an SDK sleeps between retries, and the abort keeps
 * it from sending anything after that.
 */
export async function withDeadline<T>(
  provider: string,
  ms: number,
  run: (deadline: Deadline) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const ends = Date.now() + ms;
  const timedOut = () =>
    new ProviderError(provider, "timeout", `no answer within ${ms} ms (retries included)`);
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = timedOut();
      controller.abort(error);
      reject(error);
    }, ms);
  });
  const deadline: Deadline = {
    signal: controller.signal,
    remainingMs: () => Math.max(1, ends - Date.now()),
  };
  try {
    return await Promise.race([run(deadline), expiry]);
  } catch (error) {
    // An SDK that noticed the abort first reports it in its own words; it is still our timeout.
    if (controller.signal.aborted) throw timedOut();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
