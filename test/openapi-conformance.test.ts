import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, forgetAuthCache } from "../core/auth.ts";
import { openApiDocument } from "../functions/api/openapi.ts";
import { type Emulators, startEmulators } from "../functions/local/emulators.ts";
import { type TestApi, testApi } from "./support/app.ts";
import { conformanceChecker, type OpenApiDocument } from "./support/openapi.ts";

/**
 * The OpenAPI document is held to what the app really answers: the whole API is driven in
 * process (offline providers, local DynamoDB and SQS emulators, keys required), and every answer
 * must have a documented status and a body that matches the documented schema.
 */
let api: TestApi;
let emulators: Emulators;
let checker: ReturnType<typeof conformanceChecker>;
const keys = { owner: "", admin: "" };
const as = (key: string) => ({ authorization: `Bearer ${key}` });
const V1 = "/api/v1";

beforeAll(async () => {
  emulators = await startEmulators();
  process.env.AUTH_REQUIRED = "true";
  process.env.RATE_LIMIT_AUTH_FAILURES = "0";
  api = await testApi();
  keys.owner = (await createApiKey("conformance")).key;
  keys.admin = (await createApiKey("conformance-ops", { admin: true })).key;
  forgetAuthCache();
  checker = conformanceChecker(openApiDocument() as unknown as OpenApiDocument);
});
afterAll(async () => {
  delete process.env.AUTH_REQUIRED;
  delete process.env.RATE_LIMIT_AUTH_FAILURES;
  await emulators?.stop();
});

/** One request as a client sends it (the owner's key unless told), checked against the document. */
async function call(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = as(keys.owner),
) {
  const reply = await api.call(method, url, body, headers);
  checker.check(method, url, reply);
  return reply;
}

/** Calls and insists on the status too, so the walk goes where it means to. */
async function expectCall(status: number, method: string, url: string, body?: unknown) {
  const reply = await call(method, url, body);
  expect(reply.status, `${method} ${url}: ${JSON.stringify(reply.body)}`).toBe(status);
  return reply.body;
}

describe("the OpenAPI document against the running API", () => {
  it("documents every answer of a walk through the whole API", async () => {
    await call("GET", "/health", undefined, {});
    await expectCall(200, "GET", `${V1}/models`);
    await expectCall(200, "GET", `${V1}/qiniu/upload-token`);
    await expectCall(200, "POST", `${V1}/qiniu/upload-token`);

    // Prompt templates: admin writes, anyone reads.
    const prompt = { step: "conformance", name: "n", prompt: "p ${script_or_idea}" };
    const admin = as(keys.admin);
    const stored = (await call("POST", `${V1}/prompts`, prompt, admin)).body;
    expect(stored.id).toBeTypeOf("number");
    await expectCall(200, "GET", `${V1}/prompts`);
    await expectCall(200, "GET", `${V1}/prompts/step/conformance`);
    expect((await call("DELETE", `${V1}/prompts/${stored.id}`, undefined, admin)).status).toBe(200);

    // A project from idea to storyboards, offline.
    const project = await expectCall(201, "POST", `${V1}/projects`, { name: "conformance" });
    const p = `${V1}/projects/${project.id}`;
    await expectCall(200, "GET", `${V1}/projects`);
    await expectCall(200, "PATCH", p, { idea: "a cat gets lost" });
    const script = await expectCall(200, "POST", `${p}/generate-script`, {
      script_or_idea: "一只橘猫在森林里迷路了。它遇到了一只猫头鹰。",
      prompt_template: "Write a film: ${script_or_idea}",
    });
    const [asset, otherAsset] = script.assets;
    const a = `${V1}/assets/${asset.id}`;
    const drawn = await expectCall(200, "POST", `${a}/generate-image`);
    const ownImage: string = drawn.asset.original_url;
    for (const other of script.assets.slice(1)) {
      await expectCall(200, "POST", `${V1}/assets/${other.id}/generate-image`);
    }
    await expectCall(200, "PATCH", a, { description: "orange, curious" });
    await expectCall(200, "PUT", `${a}/image`, { image_url: ownImage });
    const assetVersions = await expectCall(200, "GET", `${a}/versions`);
    await expectCall(200, "POST", `${a}/versions/${assetVersions.at(-1).version_id}/select`);
    await call("POST", `${p}/assets`, { asset_urls: [ownImage] });

    const boards = await expectCall(200, "POST", `${p}/generate-storyboards`, {
      script: script.full_script,
      prompt_template: "${materials_description}\n${script}",
    });
    const added = await expectCall(201, "POST", `${p}/storyboards`, {
      frame_prompt: "the owl",
      shot_prompt: "slow pan",
    });
    const order = [added.id, ...boards.map((b: { id: number }) => b.id)];
    await expectCall(200, "PUT", `${p}/storyboards/order`, { storyboard_ids: order });
    const s = `${V1}/storyboards/${boards[0].id}`;
    await expectCall(200, "PATCH", s, { narration: "The cat is lost." });
    await expectCall(200, "POST", `${s}/generate-frame`, {
      frame_prompt: boards[0].frame_prompt,
      frame_asset_ids: [asset.id],
    });
    await expectCall(200, "POST", `${s}/guide-frame`, { guide_image_url: ownImage });
    await expectCall(200, "PUT", `${s}/frame`, { image_url: ownImage });
    const boardVersions = await expectCall(200, "GET", `${s}/versions`);
    await expectCall(200, "POST", `${s}/versions/${boardVersions.at(-1).version_id}/select`);
    await expectCall(200, "POST", `${s}/regenerate`, { detail: "make it night" });
    await expectCall(200, "POST", `${s}/generate-narration`);

    // Jobs: estimates, a shot video started and canceled, the batch and the render.
    await expectCall(200, "POST", `${s}/generate-video?estimate=true`, { shot_prompt: "pan" });
    const video = await expectCall(202, "POST", `${s}/generate-video`, { shot_prompt: "pan" });
    await expectCall(200, "GET", `${V1}/jobs/${video.job_id}`);
    await expectCall(200, "POST", `${V1}/jobs/${video.job_id}/cancel`);
    await expectCall(409, "POST", `${V1}/jobs/${video.job_id}/cancel`);
    await expectCall(200, "POST", `${p}/compose-video?estimate=true`);
    await call("POST", `${p}/compose-video`);
    await expectCall(400, "POST", `${p}/compose-video`, { callback_url: "https://example.com/h" });
    await call("POST", `${p}/generate-asset-images`);
    await expectCall(200, "POST", `${p}/render`, { dry_run: true });
    await call("POST", `${p}/render`, {});
    await expectCall(200, "GET", `${p}/jobs`);
    await expectCall(200, "GET", `${p}/costs`);
    await expectCall(200, "GET", p);
    await expectCall(409, "GET", `${p}/export?format=srt`);
    await expectCall(401, "POST", `${V1}/hooks/video/${video.job_id}?token=forged`);

    // Deleting: a shot, an asset, the project; then it is gone.
    await expectCall(200, "DELETE", `${V1}/storyboards/${added.id}`);
    await expectCall(200, "DELETE", `${V1}/assets/${otherAsset.id}`);
    await expectCall(200, "DELETE", p);
    await expectCall(404, "GET", p);

    expect(checker.problems).toEqual([]);
  });

  it("documents the errors the chain and the handlers answer", async () => {
    const before = checker.validated();
    const statusOf = async (method: string, url: string, body?: unknown, headers?: object) =>
      (await call(method, url, body, headers as Record<string, string>)).status;
    // 401: no key, a bad key; 403: not an admin.
    expect(await statusOf("GET", `${V1}/projects`, undefined, {})).toBe(401);
    expect(await statusOf("POST", `${V1}/projects`, { name: "x" }, as("sbk_forged"))).toBe(401);
    expect(await statusOf("POST", `${V1}/prompts`, { step: "s", name: "n", prompt: "p" })).toBe(
      403,
    );
    // 404: unknown resources.
    expect(await statusOf("GET", `${V1}/projects/999999`)).toBe(404);
    expect(await statusOf("GET", `${V1}/jobs/no-such-job`)).toBe(404);
    expect(await statusOf("DELETE", `${V1}/prompts/999999`, undefined, as(keys.admin))).toBe(404);
    // 422: a path id that is not canonical, a bad query, a body that breaks the schema, a NUL.
    expect(await statusOf("GET", `${V1}/projects/1.0`)).toBe(422);
    expect(await statusOf("GET", `${V1}/projects?size=0`)).toBe(422);
    expect(await statusOf("POST", `${V1}/projects`, { name: "" })).toBe(422);
    expect(await statusOf("GET", `${V1}/prompts/step/a%00b`)).toBe(422);
    // 400, 413, 415: malformed JSON, a body over the limit, a body that is not JSON.
    const owner = as(keys.owner);
    expect(await statusOf("POST", `${V1}/projects`, "{nope", owner)).toBe(400);
    const huge = { name: "x".repeat(1_100_000) };
    expect(await statusOf("POST", `${V1}/projects`, huge, owner)).toBe(413);
    const text = { ...owner, "content-type": "text/plain" };
    expect(await statusOf("POST", `${V1}/projects`, "name", text)).toBe(415);
    expect(checker.problems).toEqual([]);
    expect(checker.validated() - before).toBe(13);
  });

  it("exercised every documented operation", () => {
    const missing = checker.operations.filter((op) => !checker.exercised.has(op));
    expect(missing).toEqual([]);
    console.info(
      `OpenAPI conformance: ${checker.operations.length} operations, ${checker.exercised.size} exercised, ${checker.validated()} responses validated`,
    );
  });
});
