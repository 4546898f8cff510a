import { describe, expect, it } from "vitest";
import { completion, startFakeOpenRouter } from "../../../test/support/fakes/openrouter.ts";
import { fakeForFile } from "../../../test/support/fakes/server.ts";
import { parseConfig } from "../../config.ts";
import { openRouterText } from "./openrouter.ts";

const SCRIPT = {
  full_script: "A cat gets lost in the forest.",
  assets: [{ name: "Cat", description: "Orange cat", tags: ["animal"] }],
};

const fakeServer = fakeForFile(startFakeOpenRouter);

const adapter = (env: Record<string, string> = {}) =>
  openRouterText(
    parseConfig({
      OPENROUTER_API_KEY: "test-openrouter-key",
      OPENROUTER_BASE_URL: `${fakeServer().url}/api/v1`,
      OPENROUTER_MODEL: "test/model-1",
      PROVIDER_RETRIES: "0",
      ...env,
    }),
  );

const write = (env?: Record<string, string>) =>
  adapter(env).writeScript({ prompt: "Write about a cat", idea: "a cat" });

describe("OpenRouter text adapter (real openai SDK)", () => {
  it("asks for strict JSON-schema output and returns the parsed script with usage", async () => {
    fakeServer().next.push(completion(JSON.stringify(SCRIPT)));
    const result = await write();
    expect(result.value).toEqual(SCRIPT);
    expect(result).toMatchObject({ provider: "openrouter", model: "test/model-1" });
    expect(result.usage).toEqual({ input_tokens: 120, output_tokens: 80 });
    const [req] = fakeServer().requests;
    expect(req?.headers.authorization).toBe("Bearer test-openrouter-key");
    expect(req?.json.model).toBe("test/model-1");
    expect(req?.json.provider).toEqual({ require_parameters: true });
    expect(req?.json.response_format.type).toBe("json_schema");
    expect(req?.json.response_format.json_schema.strict).toBe(true);
    expect(req?.json.response_format.json_schema.schema.required).toEqual([
      "full_script",
      "assets",
    ]);
    expect(req?.json.messages.at(-1)).toEqual({ role: "user", content: "Write about a cat" });
  });

  it("accepts JSON wrapped in a code fence without a second call", async () => {
    fakeServer().next.push(completion(`Sure!\n\`\`\`json\n${JSON.stringify(SCRIPT)}\n\`\`\``));
    expect((await write()).value).toEqual(SCRIPT);
    expect(fakeServer().requests).toHaveLength(1);
  });

  it("repairs once: invalid JSON, then valid", async () => {
    fakeServer().next.push(
      completion('{"full_script": "x", "assets": [{"name": 1}]}'),
      completion(JSON.stringify(SCRIPT)),
    );
    const result = await write();
    expect(result.value).toEqual(SCRIPT);
    expect(fakeServer().requests).toHaveLength(2);
    const repair = fakeServer().requests[1]?.json.messages;
    expect(repair.at(-2)).toMatchObject({ role: "assistant" });
    expect(repair.at(-1).content).toContain("does not match the schema");
    expect(result.usage).toEqual({ input_tokens: 240, output_tokens: 160 });
  });

  it("repairs a truncated reply (finish_reason length)", async () => {
    fakeServer().next.push(
      completion('{"full_script": "A ca', "length"),
      completion(JSON.stringify(SCRIPT)),
    );
    expect((await write()).value).toEqual(SCRIPT);
    expect(fakeServer().requests[1]?.json.messages.at(-1).content).toContain("cut off");
  });

  it("gives up with a typed error after one failed repair", async () => {
    fakeServer().next.push(completion("I cannot do JSON today."), completion("Still prose."));
    await expect(write()).rejects.toMatchObject({ status: 502, code: "provider_invalid_output" });
    expect(fakeServer().requests).toHaveLength(2);
  });

  it("retries a 429 (honouring retry-after) and succeeds", async () => {
    fakeServer().faults.push({
      status: 429,
      body: { error: { code: 429, message: "Rate limited" } },
      headers: { "retry-after": "0" },
    });
    fakeServer().next.push(completion(JSON.stringify(SCRIPT)));
    expect((await write({ PROVIDER_RETRIES: "1" })).value).toEqual(SCRIPT);
    expect(fakeServer().requests).toHaveLength(2);
  });

  it.each([
    [429, "provider_rate_limited", 502],
    [500, "provider_unavailable", 502],
    [401, "provider_auth_failed", 502],
    [404, "provider_model_not_found", 502],
    [400, "provider_bad_request", 502],
  ])("maps HTTP %i to %s", async (status, code, httpStatus) => {
    fakeServer().faults.push({
      status,
      body: { error: { code: status, message: `upstream said ${status}` } },
    });
    await expect(write()).rejects.toMatchObject({ status: httpStatus, code });
  });

  it("treats HTTP 200 with an error body as a provider failure", async () => {
    fakeServer().next.push({
      error: { code: 502, message: "Upstream provider went away", metadata: {} },
    });
    await expect(write()).rejects.toMatchObject({
      code: "provider_unavailable",
      message: expect.stringContaining("went away"),
    });
  });

  it("reports a refusal as blocked content", async () => {
    const refused = completion("");
    (refused.choices[0] as { message: { refusal: string | null } }).message.refusal =
      "I can't help with that.";
    fakeServer().next.push(refused);
    await expect(write()).rejects.toMatchObject({ status: 422, code: "provider_blocked" });
  });

  it("times out cleanly as a 504", async () => {
    fakeServer().faults.push({
      delayMs: 1_500,
      status: 200,
      body: completion(JSON.stringify(SCRIPT)),
    });
    await expect(write({ PROVIDER_TIMEOUT_MS: "1000" })).rejects.toMatchObject({
      status: 504,
      code: "provider_timeout",
    });
  });

  it("repairs fenced JSON with trailing commas and comments locally: no second request", async () => {
    fakeServer().next.push(
      completion(
        'Here you go:\n```json\n{\n  "full_script": "A cat gets lost in the forest.", // the story\n' +
          '  "assets": [{"name": "Cat", "description": "Orange cat", "tags": ["animal",],},],\n}\n```\nEnjoy!',
      ),
    );
    expect((await write()).value).toEqual(SCRIPT);
    expect(fakeServer().requests).toHaveLength(1);
  });

  it("repairs JSON whose closing brackets are missing (the model stopped, not cut off) for free", async () => {
    fakeServer().next.push(
      completion(
        '{"full_script": "A cat gets lost in the forest.", "assets": [{"name": "Cat", ' +
          '"description": "Orange cat", "tags": ["animal"]}',
      ),
    );
    expect((await write()).value).toEqual(SCRIPT);
    expect(fakeServer().requests).toHaveLength(1);
  });

  it("spends exactly one repair request when the reply cannot be repaired into the schema", async () => {
    fakeServer().next.push(
      completion('{"full_script": "x", "assets": [{"name": "Cat",}]'),
      completion(JSON.stringify(SCRIPT)),
    );
    expect((await write()).value).toEqual(SCRIPT);
    expect(fakeServer().requests).toHaveLength(2);
    expect(fakeServer().requests[1]?.json.messages.at(-1).content).toContain(
      "assets.0.description",
    );
  });

  it("answers 504 at the overall deadline when retries would run past it, and sends nothing after", async () => {
    // Each attempt fails after 400 ms and may be retried at once: 6 attempts would take 2.4 s.
    fakeServer().faults.push({
      delayMs: 400,
      status: 503,
      body: { error: { code: 503, message: "overloaded" } },
      headers: { "retry-after": "0" },
      times: 10,
    });
    const started = Date.now();
    const error = await write({ PROVIDER_TIMEOUT_MS: "1000", PROVIDER_RETRIES: "5" }).catch(
      (e) => e,
    );
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({ status: 504, code: "provider_timeout" });
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(2_000);
    // Attempts at 0, ~400 and ~800 ms; the third is cut at the deadline.
    expect(fakeServer().requests).toHaveLength(3);
    // A retry that escaped the deadline would arrive within one attempt's 400 ms.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(fakeServer().requests).toHaveLength(3);
  });

  it("runs the paid repair round inside the same deadline", async () => {
    // Each answer alone fits in the 1 s budget; the reply and its repair together do not.
    fakeServer().faults.push({ delayMs: 600, times: 2 });
    fakeServer().next.push(completion("Not JSON at all."), completion(JSON.stringify(SCRIPT)));
    await expect(write({ PROVIDER_TIMEOUT_MS: "1000" })).rejects.toMatchObject({
      status: 504,
      code: "provider_timeout",
    });
    expect(fakeServer().requests).toHaveLength(2);
  });

  it("plans storyboards from the wrapped array", async () => {
    const boards = [{ frame_prompt: "f", frame_asset_ids: [1], shot_prompt: "s" }];
    fakeServer().next.push(completion(JSON.stringify({ storyboards: boards })));
    const plan = await adapter().planStoryboards({ prompt: "p", script: "s", assets: [] });
    expect(plan.value).toEqual(boards);
    expect(fakeServer().requests[0]?.json.response_format.json_schema.name).toBe("storyboards");
  });

  it("rewrites a shot as structured output, sending the filled-in template as is", async () => {
    const shot = { frame_prompt: "a cat at night", shot_prompt: "slow pan under the moon" };
    fakeServer().next.push(completion(JSON.stringify(shot)));
    const rewrite = await adapter().rewriteShot({
      prompt: "Note: make it night\nFrame: a cat",
      shot: { frame_prompt: "a cat", shot_prompt: "pan" },
      detail: "make it night",
    });
    expect(rewrite.value).toEqual(shot);
    const sent = fakeServer().requests[0]?.json;
    expect(sent.response_format.json_schema.name).toBe("shot");
    expect(sent.messages.at(-1)).toEqual({
      role: "user",
      content: "Note: make it night\nFrame: a cat",
    });
  });

  it("rewrites a refused prompt as structured output: the filled-in template sent as is, the new prompt returned", async () => {
    fakeServer().next.push(
      completion(JSON.stringify({ prompt: "two knights spar with wooden staffs" })),
    );
    const rewrite = await adapter().rewriteForSafety({
      prompt: "Refused (SAFETY): two knights duel to the death\nRewrite it.",
      kind: "frame",
      original: "two knights duel to the death",
      reasons: ["SAFETY"],
    });
    expect(rewrite).toMatchObject({
      value: { prompt: "two knights spar with wooden staffs" },
      provider: "openrouter",
      model: "test/model-1",
      usage: { input_tokens: 120, output_tokens: 80 },
    });
    const sent = fakeServer().requests[0]?.json;
    expect(sent.response_format.json_schema.name).toBe("safety_rewrite");
    expect(sent.response_format.json_schema.strict).toBe(true);
    expect(sent.response_format.json_schema.schema.required).toEqual(["prompt"]);
    expect(sent.messages.at(-1)).toEqual({
      role: "user",
      content: "Refused (SAFETY): two knights duel to the death\nRewrite it.",
    });
  });

  it("gives a refused safety rewrite back as a typed refusal, not as a prompt", async () => {
    fakeServer().next.push(completion("", "content_filter"));
    await expect(
      adapter().rewriteForSafety({ prompt: "p", kind: "video", original: "o", reasons: [] }),
    ).rejects.toMatchObject({ status: 422, code: "provider_blocked" });
  });
});
