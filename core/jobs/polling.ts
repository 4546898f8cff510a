/**
 * When to look at a rendering video again. A check is a short worker step and a provider read,
 * so checking every 15 s wastes most checks early and finishes up to 15 s late. Instead the first
 * check comes just before the model usually finishes, then a few seconds apart; a render that
 * runs far past its usual time is checked less often. Pure: the caller passes the clock.
 */

/**
 * Typical seconds from start to finished clip, per video route and model: first match wins.
 * Estimates for an 8 s clip at 720p, to be tuned from observed renders; a value that is off
 * costs a few extra checks (too low) or a few seconds (too high), never a lost video.
 */
export const TYPICAL_RENDER_SECONDS: readonly {
  provider?: string;
  model?: RegExp;
  seconds: number;
}[] = [
  { model: /fast|lite/i, seconds: 45 },
  { model: /^veo-2/i, seconds: 60 },
  { model: /^veo-3/i, seconds: 70 },
  { provider: "gemini-interactions", seconds: 70 },
];

/** Anything the table does not know. */
export const DEFAULT_RENDER_SECONDS = 60;

/** The first check comes at this share of the typical render time. */
export const FIRST_CHECK_SHARE = 0.85;
/** Checks after the first: this share of the typical time, within the bounds below. */
const SHORT_SHARE = 0.05;
const SHORT_MIN = 1;
const SHORT_MAX = 5;
/** Past this many typical render times (and at least LATE_FLOOR s) the render is late: checks
 * spread out, capped. The floor keeps near-instant renders (offline) on short checks. */
const LATE_AFTER = 2;
const LATE_FLOOR = 30;
const LATE_SHARE = 0.25;
const LATE_MIN = 5;
const LATE_MAX = 30;

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/**
 * The typical render time of a video route's model. The offline route renders for exactly
 * OFFLINE_VIDEO_DELAY_MS, so that is its typical time.
 */
export function typicalRenderSeconds(
  provider: string,
  model: string,
  offlineDelayMs: number,
): number {
  if (provider === "offline") return offlineDelayMs / 1000;
  const row = TYPICAL_RENDER_SECONDS.find(
    (r) => (!r.provider || r.provider === provider) && (!r.model || r.model.test(model)),
  );
  return row?.seconds ?? DEFAULT_RENDER_SECONDS;
}

export interface PollInput {
  /** Seconds since the provider accepted the start. */
  elapsedSeconds: number;
  typicalSeconds: number;
  /** VIDEO_POLL_SECONDS when an operator or a test set it: a fixed interval, as before. */
  overrideSeconds?: number;
}

/** Whole seconds (a queue message's delay) until the next check, at least 1. */
export function nextCheckSeconds({
  elapsedSeconds,
  typicalSeconds,
  overrideSeconds,
}: PollInput): number {
  if (overrideSeconds !== undefined) return overrideSeconds;
  const firstAt = FIRST_CHECK_SHARE * typicalSeconds;
  if (elapsedSeconds < firstAt) return Math.max(1, Math.ceil(firstAt - elapsedSeconds));
  if (elapsedSeconds < Math.max(LATE_AFTER * typicalSeconds, LATE_FLOOR))
    return Math.round(clamp(SHORT_SHARE * typicalSeconds, SHORT_MIN, SHORT_MAX));
  return Math.round(clamp(LATE_SHARE * typicalSeconds, LATE_MIN, LATE_MAX));
}

/** Progress shown while rendering: 10 at the start to 90 at the typical time, never past 90. */
export function renderProgress(elapsedSeconds: number, typicalSeconds: number): number {
  const share = typicalSeconds > 0 ? elapsedSeconds / typicalSeconds : 1;
  return Math.round(10 + 80 * clamp(share, 0, 1));
}
