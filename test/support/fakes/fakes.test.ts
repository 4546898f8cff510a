/**
 * Contract tests of the fake providers: the REAL SDKs (`@google/genai`, `openai`, `qiniu`) talk to
 * them on 127.0.0.1 exactly as they would to the real services, faults included. If an SDK upgrade
 * changes the wire format, these fail before the adapter tests built on the fakes mislead anyone.
 */
import diagnostics from "node:diagnostics_channel";
import type { ClientRequest } from "node:http";
import type { Socket } from "node:net";
import { crc32 } from "node:zlib";
import { ApiError, GoogleGenAI } from "@google/genai";
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
import { PNG } from "pngjs";
import qiniu from "qiniu";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { qiniuEtag } from "../../../core/storage/etag.ts";
import { geminiReplies, googleError, startFakeGemini } from "./gemini.ts";
import {
  completion,
  openRouterFaults,
  openRouterReplies,
  startFakeOpenRouter,
} from "./openrouter.ts";
import { type FakeQiniu, startFakeQiniu } from "./qiniu.ts";
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

describe("fake Qiniu with the real qiniu SDK", () => {
  const keys = { accessKey: "test-ak", secretKey: "test-sk", bucket: "films" };
  let fake: FakeQiniu;
  /** Every host the process opened an HTTP request or a TCP socket to during a test. */
  const contacted: string[] = [];
  const onRequest = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    contacted.push(`http ${request.getHeader("host")}`);
  };
  const onSocket = (message: unknown) => {
    const socket = (message as { socket: Socket }).socket;
    socket.once("lookup", (_error, _address, _family, host) => contacted.push(`dns ${host}`));
    socket.once("connect", () =>
      contacted.push(`tcp ${socket.remoteAddress}:${socket.remotePort}`),
    );
  };
  beforeAll(async () => {
    fake = await startFakeQiniu(keys);
    diagnostics.subscribe("http.client.request.start", onRequest);
    diagnostics.subscribe("net.client.socket", onSocket);
  });
  afterAll(async () => {
    diagnostics.unsubscribe("http.client.request.start", onRequest);
    diagnostics.unsubscribe("net.client.socket", onSocket);
    await fake.stop();
  });
  beforeEach(() => {
    contacted.length = 0;
    fake.requests.length = 0;
    fake.faults.length = 0;
    fake.files.clear();
    fake.uploads.length = 0;
  });

  const uploader = () =>
    new qiniu.form_up.FormUploader(
      new qiniu.conf.Config({
        // Must be false: the SDK passes this scheme over the endpoint's `defaultScheme`.
        useHttpsDomain: false,
        regionsProvider: new qiniu.httpc.Region({
          services: {
            [qiniu.httpc.SERVICE_NAME.UP]: [
              new qiniu.httpc.Endpoint(`127.0.0.1:${fake.port}`, { defaultScheme: "http" }),
            ],
          },
        }),
      }),
    );
  const token = (policy: Record<string, unknown>, secretKey = keys.secretKey) =>
    new qiniu.rs.PutPolicy({ expires: 600, ...policy }).uploadToken(
      new qiniu.auth.digest.Mac(keys.accessKey, secretKey),
    );
  const put = (uploadToken: string, key: string, bytes: Buffer, mimeType = "image/png") =>
    uploader().put(
      uploadToken,
      key,
      bytes,
      new qiniu.form_up.PutExtra(key, { "x:project": "7" }, mimeType),
    );

  it("accepts an upload with the SDK's token: {hash, key}, stored, served, nothing else contacted", async () => {
    const key = "projects/7/frames/a b.png";
    const result = await put(token({ scope: `${keys.bucket}:${key}` }), key, png);
    expect(result.ok()).toBe(true);
    expect(result.data).toEqual({ hash: qiniuEtag(png), key });
    expect(fake.files.get(key)).toEqual({ bytes: png, mimeType: "image/png" });

    const [req] = fake.requests;
    expect(req?.method).toBe("POST");
    expect(req?.path).toBe("/");
    expect(String(req?.headers["content-type"])).toMatch(/^multipart\/form-data; boundary=/);
    const [upload] = fake.uploads;
    expect(upload?.fields.map(([name]) => name)).toEqual(["token", "key", "x:project", "crc32"]);
    expect(upload?.fields.find(([name]) => name === "crc32")?.[1]).toBe(String(crc32(png)));
    expect(upload).toMatchObject({ fname: key, mimeType: "image/png", fsize: png.length });

    const served = await fetch(`${fake.url}/${encodeURI(key)}`);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true);

    // One upload request, to the fake only: no region query at uc.qiniuapi.com, no DNS at all.
    expect(fake.requests).toHaveLength(2); // the upload and our own GET
    expect(contacted.filter((c) => c.startsWith("dns"))).toEqual([]);
    expect(new Set(contacted)).toEqual(
      new Set([`http 127.0.0.1:${fake.port}`, `tcp 127.0.0.1:${fake.port}`]),
    );
  });

  it("refuses a token signed with another secret key: 401, r.ok() false (resolves, no throw)", async () => {
    const result = await put(token({ scope: keys.bucket }, "wrong-sk"), "a.png", png);
    expect(result.ok()).toBe(false);
    expect(result.resp.statusCode).toBe(401);
    expect(result.data).toEqual({ error: "bad token" });
    expect(fake.files.size).toBe(0);
  });

  it("refuses an expired token with 401", async () => {
    const result = await put(token({ scope: keys.bucket, expires: -10 }), "a.png", png);
    expect(result.resp.statusCode).toBe(401);
    expect(result.data).toEqual({ error: "expired token" });
  });

  it("refuses a key outside the scope with 403; a prefixal scope admits its prefix", async () => {
    const exact = await put(token({ scope: `${keys.bucket}:allowed.png` }), "other.png", png);
    expect(exact.ok()).toBe(false);
    expect(exact.resp.statusCode).toBe(403);

    const prefixal = token({ scope: `${keys.bucket}:uploads/`, isPrefixalScope: 1 });
    expect((await put(prefixal, "uploads/u1.png", png)).ok()).toBe(true);
    expect((await put(prefixal, "elsewhere/u1.png", png)).resp.statusCode).toBe(403);
    expect((await put(token({ scope: "other-bucket" }), "a.png", png)).resp.statusCode).toBe(403);
  });

  it("enforces fsizeLimit (413) and mimeLimit (403)", async () => {
    const small = token({ scope: keys.bucket, fsizeLimit: 10 });
    expect((await put(small, "big.png", png)).resp.statusCode).toBe(413);
    const images = token({ scope: keys.bucket, mimeLimit: "image/*;video/mp4" });
    expect((await put(images, "a.png", png)).ok()).toBe(true);
    expect((await put(images, "a.mp4", png, "video/mp4")).ok()).toBe(true);
    const text = await put(images, "a.txt", Buffer.from("hi"), "text/plain");
    expect(text.resp.statusCode).toBe(403);
    expect(text.data).toEqual({ error: "file mimeType not allowed" });
  });

  it("answers 614 for an existing key under insertOnly, and renders returnBody", async () => {
    const insertOnly = token({ scope: keys.bucket, insertOnly: 1 });
    expect((await put(insertOnly, "once.png", png)).ok()).toBe(true);
    const again = await put(insertOnly, "once.png", png);
    expect(again.resp.statusCode).toBe(614);
    expect(again.data).toEqual({ error: "file exists" });

    const returnBody = '{"key":"$(key)","hash":"$(etag)","fsize":$(fsize),"p":"$(x:project)"}';
    const result = await put(token({ scope: keys.bucket, returnBody }), "rb.png", png);
    expect(result.data).toEqual({ key: "rb.png", hash: qiniuEtag(png), fsize: png.length, p: "7" });
  });

  it("lets a fault stand in for Qiniu (e.g. 503), which put() also resolves with", async () => {
    fake.faults.push({ status: 503, body: { error: "service unavailable" } });
    const result = await put(token({ scope: keys.bucket }), "a.png", png);
    expect(result.ok()).toBe(false);
    expect(result.resp.statusCode).toBe(503);
  });
});
