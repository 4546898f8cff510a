import { type Fake, type Fault, type Recorded, type Reply, startFake } from "./server.ts";

/** One chat completion as OpenRouter returns it, with `content` as the model's text. */
export function completion(content: string, finish_reason = "stop", model = "fake/model") {
  return {
    id: `gen-${Math.floor(Date.now() / 1000)}-${Math.random().toString(36).slice(2)}`,
    provider: "FakeProvider",
    model,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    choices: [{ index: 0, finish_reason, message: { role: "assistant", content, refusal: null } }],
    usage: { prompt_tokens: 120, completion_tokens: 80, total_tokens: 200 },
  };
}

/** OpenRouter's error body `{"error":{"code","message","metadata"}}` with that HTTP status. */
export const openRouterError = (code: number, message: string): Reply => ({
  status: code,
  body: { error: { code, message, metadata: {} } },
});

/** Canned faults for `fake.faults.push(...)`. */
export const openRouterFaults = {
  /** 429 with `retry-after` (seconds; the SDK honours it when it retries). */
  rateLimited: (retryAfterSeconds = 0): Fault => ({
    ...openRouterError(429, "Rate limit exceeded: free-models-per-min"),
    headers: { "retry-after": String(retryAfterSeconds) },
  }),
  serverError: (status = 500): Fault => openRouterError(status, "Internal Server Error"),
  /** An upstream failure after generation started: HTTP 200 with an error body. */
  errorIn200: (code = 502, message = "Provider returned error"): Fault => ({
    status: 200,
    body: { error: { code, message, metadata: { provider_name: "FakeProvider", raw: null } } },
  }),
  /** Answers only after `ms`, to run into the client's timeout. */
  slow: (ms: number, body: unknown = completion("{}")): Fault => ({
    delayMs: ms,
    status: 200,
    body,
  }),
  /** Closes the connection without an answer. */
  drop: (): Fault => ({ drop: true }),
};

/** Completion bodies with the content shapes models get wrong. */
export const openRouterReplies = {
  json: (value: unknown) => completion(JSON.stringify(value)),
  /** The JSON inside a Markdown code fence, with a sentence before it. */
  fenced: (value: unknown) =>
    completion(`Here is the JSON:\n\`\`\`json\n${JSON.stringify(value, null, 2)}\n\`\`\``),
  prose: (text = "I'm sorry, I can't write that script.") => completion(text),
  /** JSON cut off at `keep` of its length, with `finish_reason: "length"`. */
  truncated: (value: unknown, keep = 0.6) => {
    const text = JSON.stringify(value);
    return completion(text.slice(0, Math.max(1, Math.floor(text.length * keep))), "length");
  },
};

/**
 * What a test answers for one chat completion: a string is the assistant's `content` (wrapped in
 * a completion echoing the request's model); anything else is sent as the whole response body.
 */
export type OpenRouterAnswer = string | object;

export interface FakeOpenRouterOptions {
  /** The key the fake expects as `authorization: Bearer <key>`. */
  apiKey?: string;
  respond?: (req: Recorded) => OpenRouterAnswer | Promise<OpenRouterAnswer>;
}

export interface FakeOpenRouter extends Fake {
  /** Answers for the next completions, first to last; when empty, `respond` decides. */
  next: OpenRouterAnswer[];
  /** Replaceable by tests at any time. */
  respond: (req: Recorded) => OpenRouterAnswer | Promise<OpenRouterAnswer>;
  /** The `POST …/chat/completions` requests (the JSON request bodies are in `.json`). */
  completions(): Recorded[];
}

/** The path under the fake's URL; the SDK's `baseURL` is `${fake.url}/api/v1`. */
export const OPENROUTER_PREFIX = "/api/v1";

/**
 * OpenRouter's OpenAI-compatible API on 127.0.0.1: `POST /api/v1/chat/completions`, bearer key
 * checked (401 otherwise), other routes 404, all errors in OpenRouter's body shape.
 */
export async function startFakeOpenRouter(
  options: string | FakeOpenRouterOptions = {},
): Promise<FakeOpenRouter> {
  const { apiKey = "test-openrouter-key", respond } =
    typeof options === "string" ? { apiKey: options } : options;
  // Tests replace `respond` on the returned object, so the handler reads it from there.
  let self: FakeOpenRouter | undefined;
  const fake = await startFake(async (req) => {
    const state = self as FakeOpenRouter;
    if (req.method !== "POST" || req.path !== `${OPENROUTER_PREFIX}/chat/completions`) {
      return openRouterError(404, `No route ${req.method} ${req.path}`);
    }
    if (req.headers.authorization !== `Bearer ${apiKey}`)
      return openRouterError(401, "No auth credentials found");
    if (!req.json) return openRouterError(400, "Request body is not JSON");
    const answer = state.next.length ? state.next.shift() : await state.respond(req);
    return {
      status: 200,
      body:
        typeof answer === "string"
          ? completion(answer, "stop", String(req.json.model ?? "fake/model"))
          : answer,
    };
  });
  self = Object.assign(fake, {
    next: [] as OpenRouterAnswer[],
    respond: respond ?? ((_req: Recorded): OpenRouterAnswer => completion("{}")),
    completions: () => fake.requests.filter((r) => r.path.endsWith("/chat/completions")),
  });
  return self;
}
