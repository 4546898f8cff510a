/**
 * Contract tests of the fake Gemini API: the REAL `@google/genai` talks to it on 127.0.0.1 exactly
 * as it would to Google, faults included. If an SDK upgrade changes the wire format, these fail before the adapter tests built
 * on the fake mislead anyone.
 */
import { ApiError, GoogleGenAI } from "@google/genai";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { geminiReplies, googleError, startFakeGemini } from "./gemini.ts";
import { fakeForFile } from "./server.ts";

const png = (() => {
  const image = new PNG({ width: 4, height: 4 });
  image.data.fill(200);
  return PNG.sync.write(image);
})();

describe("fake Gemini API with the real @google/genai", () => {
  const GEMINI_ENV = [
    "GOOGLE_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_GENAI_USE_VERTEXAI",
    "GOOGLE_GEMINI_BASE_URL",
    "GOOGLE_GENAI_API_VERSION",
  ];
  const saved: Record<string, string | undefined> = {};
  beforeAll(() => {
    for (const name of GEMINI_ENV) {
      saved[name] = process.env[name];
      delete process.env[name];
    }
  });
  afterAll(() => {
    for (const name of GEMINI_ENV) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  const fake = fakeForFile(() => startFakeGemini("test-google-key"));
  const client = (apiKey = "test-google-key", timeout?: number) =>
    new GoogleGenAI({
      apiKey,
      apiVersion: "v1beta",
      httpOptions: { baseUrl: fake().url, ...(timeout ? { timeout } : {}) },
    });
  const MODEL = "gemini-3.1-flash-image";
  const generateImage = (ai = client()) =>
    ai.models.generateContent({
      model: MODEL,
      contents: [
        {
          role: "user",
          parts: [
            { text: "The cat from the reference, in a forest" },
            { inlineData: { mimeType: "image/png", data: png.toString("base64") } },
          ],
        },
      ],
      config: { responseModalities: ["TEXT", "IMAGE"], imageConfig: { aspectRatio: "16:9" } },
    });

  it("answers an image request with a text part and a real PNG inlineData part", async () => {
    const response = await generateImage();
    const parts = response.candidates?.[0]?.content?.parts ?? [];
    expect(parts[0]?.text).toBeTypeOf("string");
    const image = parts.find((p) => p.inlineData)?.inlineData;
    expect(image?.mimeType).toBe("image/png");
    const decoded = PNG.sync.read(Buffer.from(image?.data ?? "", "base64"));
    expect(decoded.width).toBeGreaterThan(0);
    expect(response.candidates?.[0]?.finishReason).toBe("STOP");
    expect(response.usageMetadata?.totalTokenCount).toBeGreaterThan(0);

    const [req] = fake().requests;
    expect(req?.method).toBe("POST");
    expect(req?.path).toBe(`/v1beta/models/${MODEL}:generateContent`);
    expect(req?.headers["x-goog-api-key"]).toBe("test-google-key");
    const sent = req?.json.contents[0].parts;
    expect(sent.filter((p: { text?: string }) => p.text)).toHaveLength(1);
    expect(sent.filter((p: { inlineData?: unknown }) => p.inlineData)).toEqual([
      { inlineData: { mimeType: "image/png", data: png.toString("base64") } },
    ]);
    // `config` is moved into `generationConfig` on the wire.
    expect(req?.json.generationConfig).toEqual({
      responseModalities: ["TEXT", "IMAGE"],
      imageConfig: { aspectRatio: "16:9" },
    });
  });

  it("answers a JSON-mode vision request with JSON text", async () => {
    const response = await client().models.generateContent({
      model: "gemini-3-flash",
      contents: [
        {
          role: "user",
          parts: [
            { text: "Describe this image as an asset" },
            { inlineData: { mimeType: "image/png", data: png.toString("base64") } },
          ],
        },
      ],
      config: { responseMimeType: "application/json" },
    });
    expect(JSON.parse(response.text ?? "")).toEqual({
      name: expect.any(String),
      description: expect.any(String),
      tags: expect.any(Array),
    });
    expect(fake().requests[0]?.json.generationConfig.responseMimeType).toBe("application/json");
  });

  it("returns a blocked prompt without throwing: promptFeedback.blockReason, no candidates", async () => {
    fake().next.push(geminiReplies.blockedPrompt("SAFETY"));
    const response = await generateImage();
    expect(response.promptFeedback?.blockReason).toBe("SAFETY");
    expect(response.candidates).toBeUndefined();
    expect(response.data).toBeUndefined();
  });

  it.each(["IMAGE_SAFETY", "NO_IMAGE"])("returns finishReason %s with no image", async (reason) => {
    fake().next.push(geminiReplies.finished(reason));
    const response = await generateImage();
    expect(response.candidates?.[0]?.finishReason).toBe(reason);
    expect(response.candidates?.[0]?.content?.parts ?? []).toEqual([]);
  });

  it.each([
    [429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."],
    [500, "INTERNAL", "An internal error has occurred."],
    [404, "NOT_FOUND", `models/${MODEL} is not found for API version v1beta`],
  ])(
    "turns %i %s into an ApiError with that status, in one attempt",
    async (code, status, text) => {
      fake().faults.push({ ...googleError(code, status, text), path: /:generateContent$/ });
      const error = await generateImage().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBe(code);
      expect((error as ApiError).message).toContain(status);
      expect((error as ApiError).message).toContain(text);
      // No retryOptions: the SDK makes exactly one attempt.
      expect(fake().requests).toHaveLength(1);
    },
  );

  it("refuses a wrong API key the way Google does (400 INVALID_ARGUMENT)", async () => {
    const error = await generateImage(client("wrong-key")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).message).toContain("API key not valid");
  });

  it("runs into httpOptions.timeout on a slow answer", async () => {
    fake().faults.push({ delayMs: 1_000 });
    await expect(generateImage(client("test-google-key", 200))).rejects.toThrow();
  });
});
