import { AUDIO_TOKENS_PER_SECOND, costOf, type SpendKind, type SpendUnits } from "../spend.ts";
import { makes, type PlanStep } from "./plan.ts";

/**
 * What a plan costs, from the one price table (core/spend.ts). `calls` counts every provider
 * call the render makes; `paid_calls` only those that cost money, so an offline provider's calls
 * are in `calls` but not in `paid_calls`, and cost 0. ffmpeg steps (a chained frame taken from
 * the previous video, the final cut) call no provider.
 */
export interface Estimate {
  usd: number;
  paid_calls: number;
  calls: number;
  /** When the storyboards are still to be made, their number is unknown: what each new shot
   * adds (a frame and a video), not included in the totals above. */
  per_new_shot?: Omit<Estimate, "per_new_shot">;
}

export interface PriceContext {
  /** Which provider kinds run offline (free); speech counts as offline when not said. */
  offline: { text: boolean; image: boolean; video: boolean; speech?: boolean };
  /** Seconds of a shot's video: its own duration, else the project's `shot_seconds`. */
  secondsOf(storyboardId?: number): number;
  /** Characters the storyboard LLM call reads (script and asset briefs), for its token guess. */
  storyboardPromptChars?: number;
  /** Characters a shot's narration and dialogue speak. */
  speechCharsOf?(storyboardId?: number): number;
  /** The video model the shots are made with: its registry price (Veo's when not said). */
  videoModel?: string;
}

/** A guess of speaking speed for estimates (about 150 English words a minute). */
const CHARS_PER_SPOKEN_SECOND = 14;

/** A rough size of the storyboard plan the LLM writes (a few hundred tokens per shot). */
const STORYBOARD_OUTPUT_TOKENS = 4_000;
const TEMPLATE_TOKENS = 1_000;

interface Call {
  kind: SpendKind;
  offline: boolean;
  units: SpendUnits;
  /** A video's model (its per-second price). */
  model?: string;
}

function callsOf(step: PlanStep, ctx: PriceContext): Call[] {
  if (!makes(step)) return [];
  switch (step.stage) {
    case "asset_images":
      return [{ kind: "image", offline: ctx.offline.image, units: { images: 1 } }];
    case "storyboards":
      return [
        {
          kind: "llm",
          offline: ctx.offline.text,
          units: {
            input_tokens: Math.ceil((ctx.storyboardPromptChars ?? 0) / 4) + TEMPLATE_TOKENS,
            output_tokens: STORYBOARD_OUTPUT_TOKENS,
          },
        },
      ];
    case "frames":
      return step.from_storyboard_id
        ? []
        : [{ kind: "image", offline: ctx.offline.image, units: { images: 1 } }];
    case "narration": {
      // A new shot's words are not known yet: it is priced once the shots exist.
      const chars =
        step.storyboard_id === undefined ? 0 : (ctx.speechCharsOf?.(step.storyboard_id) ?? 0);
      if (chars === 0) return [];
      const seconds = chars / CHARS_PER_SPOKEN_SECOND;
      return [
        {
          kind: "speech",
          offline: ctx.offline.speech ?? true,
          units: {
            input_tokens: Math.ceil(chars / 4),
            output_tokens: Math.ceil(seconds * AUDIO_TOKENS_PER_SECOND),
          },
        },
      ];
    }
    case "videos":
      return [
        {
          kind: "video",
          offline: ctx.offline.video,
          units: { seconds: ctx.secondsOf(step.storyboard_id) },
          model: ctx.videoModel,
        },
      ];
    default:
      return [];
  }
}

function total(calls: Call[]): Omit<Estimate, "per_new_shot"> {
  const usd = calls.reduce(
    (sum, c) => sum + costOf(c.kind, c.offline ? "offline" : "live", c.units, c.model),
    0,
  );
  return {
    usd: Number(usd.toFixed(4)),
    paid_calls: calls.filter((c) => !c.offline).length,
    calls: calls.length,
  };
}

export function estimateRender(plan: PlanStep[], ctx: PriceContext): Estimate {
  // Steps without a storyboard id in the frame and video stages stand for every new shot.
  const perShot = (s: PlanStep) =>
    (s.stage === "frames" || s.stage === "videos") && s.storyboard_id === undefined;
  const known = plan.filter((s) => !perShot(s)).flatMap((s) => callsOf(s, ctx));
  const unknown = plan.filter(perShot);
  return {
    ...total(known),
    ...(unknown.length
      ? {
          per_new_shot: total(
            unknown.flatMap((s) =>
              // The first new shot's frame is drawn; chained ones after it would be free.
              callsOf({ ...s, from_storyboard_id: undefined }, ctx),
            ),
          ),
        }
      : {}),
  };
}
