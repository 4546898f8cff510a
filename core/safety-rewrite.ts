import type { SafetyKind, SafetyRewrite } from "./jobs/types.ts";
import { log } from "./log.ts";
import { stepTemplate } from "./prompts.ts";
import { ProviderError } from "./providers/errors.ts";
import { textProvider } from "./providers/text/index.ts";
import { recordSpend } from "./spend.ts";
import { requireLiveStoryboard } from "./storyboards.ts";
import { renderTemplate } from "./templates.ts";

/** The versioned template of the rewrite (editable in `prompts` like any other). */
export const SAFETY_REWRITE_STEP = "safety_rewrite";
export const SAFETY_REWRITE_TEMPLATE = [
  "The safety filter of an ${kind} generation model refused the prompt below. Rewrite it so that it can pass: keep the story beat, characters, setting, composition and style; remove or soften only what could have been refused (graphic violence, gore, weapons aimed at people, sexual content, minors in danger, real people's likeness, …). Add nothing new.",
  "",
  "Refusal reasons: ${reasons}",
  "",
  "Refused prompt:",
  "${prompt}",
  "",
  'Reply with JSON only: {"prompt": "..."}',
].join("\n");

export type { SafetyKind, SafetyRewrite };

/**
 * Rewrites a shot's refused frame or video prompt once with the LLM, following the versioned
 * `safety_rewrite` template (created as version 1 on first use). The LLM call is on the ledger.
 */
export async function rewriteForSafety(input: {
  storyboardId: number;
  kind: SafetyKind;
  prompt: string;
  reasons: string[];
}): Promise<SafetyRewrite> {
  const board = await requireLiveStoryboard(input.storyboardId);
  const template = await stepTemplate(SAFETY_REWRITE_STEP, SAFETY_REWRITE_TEMPLATE);
  const filled = renderTemplate(template.prompt, {
    kind: input.kind === "frame" ? "image" : "video",
    reasons: input.reasons.join(", ") || "none given",
    prompt: input.prompt,
  });
  const text = await textProvider();
  const rewrite = await text.rewriteForSafety({
    prompt: filled,
    kind: input.kind,
    original: input.prompt,
    reasons: input.reasons,
  });
  await recordSpend(board.projectId, "llm", rewrite);
  return {
    kind: input.kind,
    original: input.prompt,
    prompt: rewrite.value.prompt,
    reasons: input.reasons,
    template: {
      id: template.id,
      step: template.step,
      name: template.name,
      version: template.version,
    },
    provider: rewrite.provider,
    model: rewrite.model,
  };
}

export const isSafetyRefusal = (error: unknown): error is ProviderError =>
  error instanceof ProviderError && error.failure === "blocked";

/** The provider's reasons, else its message: a refusal always says why. */
export const reasonsOf = (error: ProviderError) =>
  error.reasons.length ? error.reasons : [error.message];

/** The refusal that ends a shot after its one rewrite, with the provider's reasons. */
export function refusedAgain(error: ProviderError): ProviderError {
  const own = `${error.provider}: `;
  const message = error.message.startsWith(own) ? error.message.slice(own.length) : error.message;
  return new ProviderError(
    error.provider,
    "blocked",
    `${message} (refused again after one safety rewrite of the prompt)`,
    error.reasons,
  );
}

/** What was drawn, the prompt that drew it, and the rewrite if there was one (provenance). */
export interface Drawn<T> {
  value: T;
  prompt: string;
  rewrite?: SafetyRewrite;
}

/**
 * How a caller that must not reach the LLM itself (core/frames.ts, also behind the interactive
 * frame routes) is handed the rewrite: the render passes {@link drawWithSafetyRewrite}.
 */
export type SafetyRewriter = <T>(
  shot: { storyboardId: number; kind: SafetyKind; prompt: string },
  draw: (prompt: string) => Promise<T>,
) => Promise<Drawn<T>>;

/**
 * Draws with the shot's prompt; when the provider's safety filter refuses it, the prompt is
 * rewritten once and drawn again. A second refusal is thrown with the provider's reasons; a
 * rewrite that fails leaves the first refusal to be thrown.
 */
export const drawWithSafetyRewrite: SafetyRewriter = async (shot, draw) => {
  let refusal: ProviderError;
  try {
    return { value: await draw(shot.prompt), prompt: shot.prompt };
  } catch (error) {
    if (!isSafetyRefusal(error)) throw error;
    refusal = error;
  }
  let rewrite: SafetyRewrite;
  try {
    rewrite = await rewriteForSafety({ ...shot, reasons: reasonsOf(refusal) });
  } catch (error) {
    log.warn("safety rewrite failed; the refusal stands", { kind: shot.kind, error });
    throw refusal;
  }
  try {
    return { value: await draw(rewrite.prompt), prompt: rewrite.prompt, rewrite };
  } catch (error) {
    throw isSafetyRefusal(error) ? refusedAgain(error) : error;
  }
};
