import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import type { ChatCompletion, ChatCompletionMessageParam } from "openai/resources/chat/completions";
import type { z } from "zod";
import type { Config } from "../../config.ts";
import { log } from "../../log.ts";
import { type Deadline, withDeadline } from "../deadline.ts";
import { failureOfStatus, ProviderError } from "../errors.ts";
import type { Generated, TextProvider, Usage } from "../types.ts";
import { readJsonReply } from "./json-reply.ts";
import {
  SafetyRewriteSchema,
  ScriptSchema,
  ShotRewriteSchema,
  StoryboardPlanSchema,
} from "./schemas.ts";

const NAME = "openrouter";

const SYSTEM_SCRIPT =
  "You are a film writer and art director. Follow the user's instructions and reply with one JSON object only.";
const SYSTEM_SHOT =
  "You are a storyboard artist revising one shot. Reply with one JSON object only: frame_prompt and shot_prompt.";
const SYSTEM_SAFETY =
  "You rewrite prompts for image and video models that a safety filter refused. Keep the story, characters and setting; remove or soften only what could be refused. Reply with one JSON object only: prompt.";
const SYSTEM_STORYBOARD =
  "You are a storyboard artist. Reply with one JSON object only. frame_asset_ids may only contain ids listed in the materials.";

/** Text generation through OpenRouter's OpenAI-compatible API, with structured JSON output. */
export function openRouterText(cfg: Config): TextProvider {
  const model = cfg.OPENROUTER_MODEL;
  const client = new OpenAI({
    baseURL: cfg.OPENROUTER_BASE_URL,
    apiKey: cfg.OPENROUTER_API_KEY,
    maxRetries: cfg.PROVIDER_RETRIES,
    timeout: cfg.PROVIDER_TIMEOUT_MS,
    defaultHeaders: { "X-Title": "Storyboard Studio" },
  });

  async function complete(
    messages: ChatCompletionMessageParam[],
    format: ReturnType<typeof zodResponseFormat>,
    deadline: Deadline,
  ) {
    let completion: ChatCompletion;
    try {
      completion = await client.chat.completions.create(
        {
          model,
          messages,
          response_format: format,
          // OpenRouter only routes to providers that honour response_format.
          provider: { require_parameters: true },
        } as Parameters<typeof client.chat.completions.create>[0] & { stream?: false },
        // Each attempt may use what is left; the signal also ends the SDK's backoff sleeps.
        { signal: deadline.signal, timeout: deadline.remainingMs() },
      );
    } catch (error) {
      if (error instanceof APIConnectionTimeoutError || error instanceof APIUserAbortError) {
        throw new ProviderError(NAME, "timeout", `no answer within ${cfg.PROVIDER_TIMEOUT_MS} ms`);
      }
      if (error instanceof APIError) {
        throw new ProviderError(NAME, failureOfStatus(error.status), error.message);
      }
      throw error;
    }
    // OpenRouter reports failures after generation started as HTTP 200 with an error body.
    const failed = (completion as { error?: { code?: number; message?: string } }).error;
    if (failed) {
      throw new ProviderError(
        NAME,
        failureOfStatus(failed.code),
        failed.message ?? "provider error",
      );
    }
    const choice = completion.choices?.[0];
    if (!choice) throw new ProviderError(NAME, "invalid_output", "the reply has no choices");
    if (choice.message.refusal || choice.finish_reason === "content_filter") {
      throw new ProviderError(NAME, "blocked", choice.message.refusal ?? "content filtered");
    }
    return {
      content: choice.message.content ?? "",
      truncated: choice.finish_reason === "length",
      usage: completion.usage,
    };
  }

  /** The whole exchange, the repair round included, runs under one deadline. */
  const structured = <T>(
    schema: z.ZodType<T>,
    name: string,
    messages: ChatCompletionMessageParam[],
  ): Promise<Generated<T>> =>
    withDeadline(NAME, cfg.PROVIDER_TIMEOUT_MS, (deadline) =>
      exchange(schema, name, messages, deadline),
    );

  async function exchange<T>(
    schema: z.ZodType<T>,
    name: string,
    messages: ChatCompletionMessageParam[],
    deadline: Deadline,
  ): Promise<Generated<T>> {
    const format = zodResponseFormat(schema as never, name);
    const usage: Usage = { input_tokens: 0, output_tokens: 0 };
    let conversation = messages;
    for (let attempt = 0; attempt < 2; attempt++) {
      const reply = await complete(conversation, format, deadline);
      usage.input_tokens += reply.usage?.prompt_tokens ?? 0;
      usage.output_tokens += reply.usage?.completion_tokens ?? 0;
      const parsed = readJsonReply(schema, reply.content, reply.truncated);
      if (parsed.ok) {
        log.info("llm call", {
          provider: NAME,
          model,
          schema: name,
          attempts: attempt + 1,
          repaired_locally: parsed.repaired,
          ...usage,
        });
        return { value: parsed.value, provider: NAME, model, usage };
      }
      if (attempt === 1) {
        throw new ProviderError(
          NAME,
          "invalid_output",
          `invalid JSON after one repair: ${parsed.problem}`,
        );
      }
      log.warn("llm reply invalid, asking for a repair", {
        model,
        schema: name,
        problem: parsed.problem,
      });
      conversation = [
        ...messages,
        { role: "assistant", content: reply.content.slice(0, 20_000) },
        {
          role: "user",
          content: `That reply is unusable: ${parsed.problem}. Reply again with the complete JSON object only${
            reply.truncated ? ", shorter" : ""
          }.`,
        },
      ];
    }
    throw new Error("unreachable");
  }

  return {
    name: NAME,
    model,
    offline: false,
    writeScript: ({ prompt }) =>
      structured(ScriptSchema, "script", [
        { role: "system", content: SYSTEM_SCRIPT },
        { role: "user", content: prompt },
      ]),
    planStoryboards: async ({ prompt }) => {
      const plan = await structured(StoryboardPlanSchema, "storyboards", [
        { role: "system", content: SYSTEM_STORYBOARD },
        { role: "user", content: prompt },
      ]);
      return { ...plan, value: plan.value.storyboards };
    },
    rewriteShot: ({ prompt }) =>
      structured(ShotRewriteSchema, "shot", [
        { role: "system", content: SYSTEM_SHOT },
        { role: "user", content: prompt },
      ]),
    rewriteForSafety: ({ prompt }) =>
      structured(SafetyRewriteSchema, "safety_rewrite", [
        { role: "system", content: SYSTEM_SAFETY },
        { role: "user", content: prompt },
      ]),
  };
}
