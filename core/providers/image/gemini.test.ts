import { describe, expect, it } from "vitest";
import { geminiReplies, googleError, startFakeGemini } from "../../../test/support/fakes/gemini.ts";
import { fakeForFile } from "../../../test/support/fakes/server.ts";
import { parseConfig } from "../../config.ts";
import { renderCard } from "../offline/card.ts";
import { decodeImage } from "../offline/png.ts";
import { geminiImage } from "./gemini.ts";

const reference = renderCard({
  width: 32,
  height: 32,
  title: "ref",
  prompt: "",
  label: "",
  seed: "r",
});

const fakeServer = fakeForFile(startFakeGemini);

const adapter = (env: Record<string, string> = {}) =>
  geminiImage(
    parseConfig({
      GOOGLE_API_KEY: "test-google-key",
      GEMINI_BASE_URL: fakeServer().url,
      GEMINI_IMAGE_MODEL: "gemini-test-image",
      GEMINI_VISION_MODEL: "gemini-test-vision",
      PROVIDER_RETRIES: "0",
      ...env,
    }),
  );

const generate = (env?: Record<string, string>) =>
  adapter(env).generate({
    prompt: "A cat in a forest",
    references: [
      { bytes: reference, mimeType: "image/png" },
      { bytes: reference, mimeType: "image/png" },
    ],
    aspectRatio: "16:9",
    title: "Shot 1",
  });

describe("Gemini image adapter (real @google/genai)", () => {
  it("sends text + inline reference images with the aspect ratio, returns the image part", async () => {
    const result = await generate();
    expect(decodeImage(result.value.bytes)).toMatchObject({ width: 64, height: 36 });
    expect(result).toMatchObject({ provider: "gemini", model: "gemini-test-image" });
    expect(result.usage).toEqual({ input_tokens: 10, output_tokens: 1290 });
    const [req] = fakeServer().generateCalls();
    expect(req?.path).toBe("/v1beta/models/gemini-test-image:generateContent");
    expect(req?.headers["x-goog-api-key"]).toBe("test-google-key");
    const parts = req?.json.contents[0].parts;
    expect(parts[0]).toEqual({ text: "A cat in a forest" });
    expect(
      parts.slice(1).map((p: { inlineData: { mimeType: string } }) => p.inlineData.mimeType),
    ).toEqual(["image/png", "image/png"]);
    expect(Buffer.from(parts[1].inlineData.data, "base64").equals(Buffer.from(reference))).toBe(
      true,
    );
    expect(req?.json.generationConfig).toMatchObject({
      responseModalities: ["TEXT", "IMAGE"],
      imageConfig: { aspectRatio: "16:9" },
    });
  });

  it.each([
    [
      "a blocked prompt",
      geminiReplies.blockedPrompt("PROHIBITED_CONTENT"),
      "provider_blocked",
      422,
      "PROHIBITED_CONTENT",
    ],
    [
      "IMAGE_SAFETY",
      geminiReplies.finished("IMAGE_SAFETY"),
      "provider_blocked",
      422,
      "IMAGE_SAFETY",
    ],
    ["NO_IMAGE", geminiReplies.finished("NO_IMAGE"), "provider_invalid_output", 502, "NO_IMAGE"],
  ])("turns %s into a typed error", async (_name, body, code, status, reason) => {
    fakeServer().next.push(body);
    const error = await generate().catch((e) => e);
    expect(error).toMatchObject({ code, status });
    expect(error.reasons).toContain(reason);
  });

  it("retries 429 and 500 with the SDK's backoff, then succeeds", async () => {
    fakeServer().faults.push(
      googleError(429, "RESOURCE_EXHAUSTED", "Quota exceeded"),
      googleError(500, "INTERNAL", "oops"),
    );
    const result = await generate({ PROVIDER_RETRIES: "2" });
    expect(result.value.mimeType).toBe("image/png");
    expect(fakeServer().generateCalls()).toHaveLength(3);
  });

  it.each([
    [
      googleError(429, "RESOURCE_EXHAUSTED", "Quota exceeded"),
      "provider_rate_limited",
      "Quota exceeded",
    ],
    [
      googleError(404, "NOT_FOUND", "models/gemini-test-image is not found"),
      "provider_model_not_found",
      "GEMINI_IMAGE_MODEL",
    ],
    [
      googleError(403, "PERMISSION_DENIED", "API key expired"),
      "provider_auth_failed",
      "API key expired",
    ],
    [googleError(503, "UNAVAILABLE", "overloaded"), "provider_unavailable", "overloaded"],
  ])("maps %j to %s with the reason", async (fault, code, text) => {
    fakeServer().faults.push(fault);
    await expect(generate()).rejects.toMatchObject({
      code,
      message: expect.stringContaining(text),
    });
  });

  it("times out as a 504", async () => {
    fakeServer().faults.push({ delayMs: 1_500, status: 200, body: {} });
    await expect(generate({ PROVIDER_TIMEOUT_MS: "1000" })).rejects.toMatchObject({
      status: 504,
      code: "provider_timeout",
    });
  });

  it("describes an image as an asset through JSON output of the vision model", async () => {
    const result = await adapter().describe({ bytes: reference, mimeType: "image/png" });
    expect(result.value).toEqual({
      name: "Orange cat",
      description: "A small orange cat.",
      tags: ["cat", "animal"],
    });
    const [req] = fakeServer().generateCalls();
    expect(req?.path).toBe("/v1beta/models/gemini-test-vision:generateContent");
    expect(req?.json.generationConfig.responseMimeType).toBe("application/json");
    expect(req?.json.generationConfig.responseJsonSchema.required).toEqual([
      "name",
      "description",
      "tags",
    ]);
  });

  it("reads a fenced description with trailing commas without asking again", async () => {
    const text =
      '```json\n{"name": "Orange cat", "description": "A small orange cat.", "tags": ["cat", "animal",],}\n```';
    fakeServer().next.push({
      candidates: [{ content: { parts: [{ text }] }, finishReason: "STOP" }],
    });
    const result = await adapter().describe({ bytes: reference, mimeType: "image/png" });
    expect(result.value).toEqual({
      name: "Orange cat",
      description: "A small orange cat.",
      tags: ["cat", "animal"],
    });
    expect(fakeServer().generateCalls()).toHaveLength(1);
  });

  it("answers 504 at the overall deadline when retries would run past it", async () => {
    // Every attempt fails after 300 ms, then the SDK backs off ≥ 1 s: 6 attempts take > 10 s.
    fakeServer().faults.push({
      ...googleError(503, "UNAVAILABLE", "overloaded"),
      delayMs: 300,
      times: 10,
    });
    const started = Date.now();
    const error = await generate({ PROVIDER_TIMEOUT_MS: "1000", PROVIDER_RETRIES: "5" }).catch(
      (e) => e,
    );
    expect(error).toMatchObject({ status: 504, code: "provider_timeout" });
    expect(Date.now() - started).toBeLessThan(2_000);
    // The first attempt failed at 300 ms; the deadline fell inside the backoff before the second.
    expect(fakeServer().generateCalls()).toHaveLength(1);
  });

  it("refuses a non-JSON description", async () => {
    fakeServer().next.push({
      candidates: [{ content: { parts: [{ text: "a cat, I think" }] }, finishReason: "STOP" }],
    });
    await expect(
      adapter().describe({ bytes: reference, mimeType: "image/png" }),
    ).rejects.toMatchObject({
      code: "provider_invalid_output",
    });
  });
});
