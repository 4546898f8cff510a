import { type Fake, type Recorded, type Reply, startFake } from "./server.ts";

/** One chat completion as OpenRouter returns it, with `content` as the model's text. */
export function completion(content: string, finish_reason = "stop") {
  return {
    id: `gen-${Math.random().toString(36).slice(2)}`,
    provider: "FakeProvider",
    model: "fake/model",
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    choices: [{ index: 0, finish_reason, message: { role: "assistant", content, refusal: null } }],
    usage: { prompt_tokens: 120, completion_tokens: 80, total_tokens: 200 },
  };
}

export const openRouterError = (code: number, message: string): Reply => ({
  status: code,
  body: { error: { code, message, metadata: {} } },
});

export interface FakeOpenRouter extends Fake {
  /** Bodies for the next completions; when empty, `respond` decides. */
  next: unknown[];
  respond: (req: Recorded) => unknown;
}

/** OpenRouter's OpenAI-compatible API under `/api/v1`, on 127.0.0.1. */
export async function startFakeOpenRouter(apiKey = "test-openrouter-key"): Promise<FakeOpenRouter> {
  // Tests replace `respond` on the returned object, so the handler reads it from there.
  let self: FakeOpenRouter | undefined;
  const fake = await startFake((req) => {
    const state = self as FakeOpenRouter;
    if (req.method !== "POST" || req.path !== "/api/v1/chat/completions") {
      return openRouterError(404, `No route ${req.method} ${req.path}`);
    }
    if (req.headers.authorization !== `Bearer ${apiKey}`)
      return openRouterError(401, "No auth credentials found");
    return { status: 200, body: state.next.length ? state.next.shift() : state.respond(req) };
  });
  self = Object.assign(fake, {
    next: [] as unknown[],
    respond: (_req: Recorded): unknown => completion("{}"),
  });
  return self;
}
