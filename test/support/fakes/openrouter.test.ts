/**
 * Contract tests of the fake OpenRouter: the REAL `openai` SDK talks to it on 127.0.0.1 exactly as
 * it would to OpenRouter, faults included. If an SDK upgrade changes the wire format, these fail before the adapter tests built
 * on the fake mislead anyone.
 */
import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  AuthenticationError,
  InternalServerError,
  RateLimitError,
} from "openai";
// Not re-exported from the package root in openai 7.
import { LengthFinishReasonError } from "openai/error";
import { zodResponseFormat } from "openai/helpers/zod";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  completion,
  openRouterFaults,
  openRouterReplies,
  startFakeOpenRouter,
} from "./openrouter.ts";
import { fakeForFile } from "./server.ts";

describe("fake OpenRouter with the real openai SDK", () => {
  const Script = z.object({
    full_script: z.string(),
    assets: z.array(
      z.object({ name: z.string(), description: z.string(), tags: z.array(z.string()) }),
    ),
  });
  const SCRIPT: z.infer<typeof Script> = {
    full_script: "A cat gets lost in the forest; an owl shows it home.",
    assets: [{ name: "Cat", description: "Small orange cat", tags: ["animal"] }],
  };
  const fake = fakeForFile(() =>
    startFakeOpenRouter({ apiKey: "test-openrouter-key", respond: () => JSON.stringify(SCRIPT) }),
  );
  const client = (options: { maxRetries?: number; apiKey?: string } = {}) =>
    new OpenAI({
      baseURL: `${fake().url}/api/v1`,
      apiKey: options.apiKey ?? "test-openrouter-key",
      maxRetries: options.maxRetries ?? 0,
      timeout: 2_000,
    });
  const parse = (ai = client(), requestOptions?: { timeout: number }) =>
    ai.chat.completions.parse(
      {
        model: "google/gemini-3-flash",
        messages: [
          { role: "system", content: "You write scripts." },
          { role: "user", content: "A cat lost in a forest" },
        ],
        response_format: zodResponseFormat(Script, "script"),
      },
      requestOptions,
    );

  it("posts to {baseURL}/chat/completions and the SDK parses the JSON content", async () => {
    const response = await parse();
    expect(response.choices[0]?.message.parsed).toEqual(SCRIPT);
    expect(response.id).toMatch(/^gen-/);
    expect(response.model).toBe("google/gemini-3-flash");
    expect(response.usage?.total_tokens).toBeGreaterThan(0);

    const [req] = fake().requests;
    expect(req?.method).toBe("POST");
    expect(req?.path).toBe("/api/v1/chat/completions");
    expect(req?.headers.authorization).toBe("Bearer test-openrouter-key");
    expect(req?.json.model).toBe("google/gemini-3-flash");
    expect(req?.json.response_format).toMatchObject({
      type: "json_schema",
      json_schema: {
        name: "script",
        strict: true,
        schema: { required: ["full_script", "assets"], additionalProperties: false },
      },
    });
  });

  it("lets the respond hook see the request", async () => {
    const previous = fake().respond;
    fake().respond = (req) => {
      expect(req.json.messages.at(-1).content).toBe("A cat lost in a forest");
      return completion(JSON.stringify({ ...SCRIPT, full_script: "from the hook" }), "stop");
    };
    try {
      expect((await parse()).choices[0]?.message.parsed?.full_script).toBe("from the hook");
    } finally {
      fake().respond = previous;
    }
  });

  it("surfaces 401 as AuthenticationError", async () => {
    await expect(parse(client({ apiKey: "wrong" }))).rejects.toBeInstanceOf(AuthenticationError);
  });

  it("surfaces 429 as RateLimitError without retrying when maxRetries is 0", async () => {
    fake().faults.push(openRouterFaults.rateLimited(0));
    const error = await parse().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).status).toBe(429);
    expect((error as RateLimitError).headers?.get("retry-after")).toBe("0");
    expect(fake().requests).toHaveLength(1);
  });

  it("recovers from a 429 with maxRetries 1 (retry-after honoured): two requests", async () => {
    fake().faults.push(openRouterFaults.rateLimited(0));
    const response = await parse(client({ maxRetries: 1 }));
    expect(response.choices[0]?.message.parsed).toEqual(SCRIPT);
    expect(fake().requests).toHaveLength(2);
    expect(fake().requests.map((r) => r.headers["x-stainless-retry-count"])).toEqual(["0", "1"]);
  });

  it("surfaces 500 as InternalServerError", async () => {
    fake().faults.push(openRouterFaults.serverError(500));
    await expect(parse()).rejects.toBeInstanceOf(InternalServerError);
  });

  it("passes an HTTP 200 error body to .parse(), which fails with a TypeError", async () => {
    fake().faults.push(openRouterFaults.errorIn200(502, "Upstream provider error"));
    await expect(parse()).rejects.toBeInstanceOf(TypeError);
    // The raw body is still readable without .parse():
    fake().faults.push(openRouterFaults.errorIn200(502, "Upstream provider error"));
    const raw = (await client().chat.completions.create({
      model: "x",
      messages: [{ role: "user", content: "hi" }],
    })) as unknown as { error?: { code: number; message: string } };
    expect(raw.error).toEqual({
      code: 502,
      message: "Upstream provider error",
      metadata: expect.any(Object),
    });
  });

  it.each([
    ["fenced JSON", openRouterReplies.fenced({ full_script: "x", assets: [] })],
    ["prose", openRouterReplies.prose()],
  ])("makes .parse() throw SyntaxError on %s", async (_name, body) => {
    fake().next.push(body);
    await expect(parse()).rejects.toBeInstanceOf(SyntaxError);
  });

  it("makes .parse() throw ZodError on JSON that misses the schema", async () => {
    fake().next.push(JSON.stringify({ full_script: 1 }));
    await expect(parse()).rejects.toMatchObject({ name: "ZodError" });
  });

  it("makes .parse() throw LengthFinishReasonError on truncated JSON (finish_reason length)", async () => {
    fake().next.push(openRouterReplies.truncated(SCRIPT));
    await expect(parse()).rejects.toBeInstanceOf(LengthFinishReasonError);
  });

  it("times out on a slow answer as APIConnectionTimeoutError", async () => {
    fake().faults.push(openRouterFaults.slow(1_000));
    await expect(parse(client(), { timeout: 200 })).rejects.toBeInstanceOf(
      APIConnectionTimeoutError,
    );
  });

  it("reports a dropped connection as APIConnectionError", async () => {
    fake().faults.push(openRouterFaults.drop());
    await expect(parse()).rejects.toBeInstanceOf(APIConnectionError);
  });
});
