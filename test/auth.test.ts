import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticate, createApiKey, forgetAuthCache, revokeApiKey } from "../core/auth.ts";
import { assets, storyboards } from "../core/db/schema.ts";
import { apiRoutes } from "../functions/api/manifest.ts";
import { type Emulators, startEmulators } from "../functions/local/emulators.ts";
import { testApi } from "./support/app.ts";

let api: Awaited<ReturnType<typeof testApi>>;
let emulators: Emulators;
const keys = { alice: "", bob: "", admin: "", revoked: "" };
const as = (key: string) => ({ authorization: `Bearer ${key}` });
/** Alice's resources, which Bob must not be able to tell apart from missing ones. */
const alice = { project: 0, asset: 0, storyboard: 0, job: "" };

beforeAll(async () => {
  emulators = await startEmulators();
  process.env.AUTH_REQUIRED = "true";
  // Every route is probed with bad keys from one address; test/rate-limit.test.ts limits them.
  process.env.RATE_LIMIT_AUTH_FAILURES = "0";
  api = await testApi();
  keys.alice = (await createApiKey("alice")).key;
  keys.bob = (await createApiKey("bob")).key;
  keys.admin = (await createApiKey("ops", { admin: true })).key;
  const revoked = await createApiKey("mallory");
  keys.revoked = revoked.key;
  await revokeApiKey(revoked.id);
  forgetAuthCache();

  alice.project = (
    await api.call("POST", "/api/v1/projects", { name: "alice's film" }, as(keys.alice))
  ).body.id;
  const [asset] = await api.database.db
    .insert(assets)
    .values({
      projectId: alice.project,
      name: "cat",
      originalUrl: "https://cdn.example.com/cat.png",
    })
    .returning();
  const [board] = await api.database.db
    .insert(storyboards)
    .values({
      projectId: alice.project,
      position: 0,
      frameImageUrl: "https://cdn.example.com/f.png",
    })
    .returning();
  alice.asset = asset?.id as number;
  alice.storyboard = board?.id as number;
  const job = await api.call(
    "POST",
    `/api/v1/storyboards/${alice.storyboard}/generate-video`,
    { shot_prompt: "pan" },
    as(keys.alice),
  );
  alice.job = job.body.job_id;
});
afterAll(async () => {
  delete process.env.AUTH_REQUIRED;
  delete process.env.RATE_LIMIT_AUTH_FAILURES;
  await emulators?.stop();
});

/** A well-formed request for each route, aimed at Alice's resources. */
function requestFor(method: string, path: string) {
  const url = path
    .replace("{project_id}", String(alice.project))
    .replace("{asset_id}", String(alice.asset))
    .replace("{storyboard_id}", String(alice.storyboard))
    .replace("{prompt_id}", "1")
    .replace("{step}", "create_shots")
    .replace("{version_id}", "1")
    .replace("{job_id}", alice.job);
  const bodies: Record<string, unknown> = {
    "PUT /api/v1/assets/{asset_id}/image": { image_url: "https://cdn.example.com/x.png" },
    "POST /api/v1/projects/{project_id}/generate-script": {
      script_or_idea: "x",
      prompt_template: "${script_or_idea}",
    },
    "POST /api/v1/projects/{project_id}/generate-storyboards": {
      script: "x",
      prompt_template: "${materials_description}${script}",
    },
    "POST /api/v1/projects/{project_id}/assets": { asset_urls: ["https://cdn.example.com/x.png"] },
    "POST /api/v1/storyboards/{storyboard_id}/generate-frame": {
      frame_prompt: "x",
      frame_asset_ids: [],
    },
    "POST /api/v1/storyboards/{storyboard_id}/guide-frame": {
      guide_image_url: "https://cdn.example.com/g.png",
    },
    "POST /api/v1/storyboards/{storyboard_id}/generate-video": { shot_prompt: "x" },
    "POST /api/v1/prompts": { step: "s", name: "n", prompt: "p" },
    "POST /api/v1/projects": { name: "x" },
    "PATCH /api/v1/projects/{project_id}": { name: "y" },
    "POST /api/v1/projects/{project_id}/storyboards": { frame_prompt: "f", shot_prompt: "s" },
    "PUT /api/v1/projects/{project_id}/storyboards/order": { storyboard_ids: [] },
    "PATCH /api/v1/assets/{asset_id}": { name: "y" },
    "PATCH /api/v1/storyboards/{storyboard_id}": { narration: "n" },
    "PUT /api/v1/storyboards/{storyboard_id}/frame": { image_url: "https://cdn.example.com/f.png" },
    "POST /api/v1/storyboards/{storyboard_id}/regenerate": { detail: "night" },
    "POST /api/v1/projects/{project_id}/render": {},
  };
  // Routes whose query is required: without it the request is a 422 before any owner check.
  const queries: Record<string, string> = {
    "GET /api/v1/projects/{project_id}/export": "?format=fcpxml",
  };
  return { url: url + (queries[`${method} ${path}`] ?? ""), body: bodies[`${method} ${path}`] };
}

// Provider callbacks carry no key: they authenticate with their URL's token (hooks.test.ts).
const apiOnly = apiRoutes
  .map(({ route }) => route)
  .filter((r) => r.path.startsWith("/api/") && !r.path.startsWith("/api/v1/hooks/"));

describe("authentication", () => {
  it.each(apiOnly.map((r) => [r.method.toUpperCase(), r.path]))(
    "%s %s needs a valid, unrevoked key",
    async (method, path) => {
      const { url, body } = requestFor(method, path);
      for (const [headers, code] of [
        [{}, "missing_api_key"],
        [as("sbk_not-a-real-key"), "invalid_api_key"],
        [as(keys.revoked), "invalid_api_key"],
        [{ authorization: "Basic abc" }, "invalid_api_key"],
      ] as const) {
        const res = await api.call(method, url, body, headers);
        expect(res.status, `${method} ${url} ${JSON.stringify(headers)}`).toBe(401);
        expect(res.body.code).toBe(code);
        expect(res.headers.get("www-authenticate")).toBe("Bearer");
      }
    },
  );

  it("keeps health and docs open", async () => {
    expect((await api.call("GET", "/health")).status).toBe(200);
    expect((await api.call("GET", "/openapi.json")).status).toBe(200);
  });
});

describe("owner isolation", () => {
  const owned = apiOnly.filter((r) =>
    /\{(project_id|asset_id|storyboard_id|job_id)\}/.test(r.path),
  );

  it.each(owned.map((r) => [r.method.toUpperCase(), r.path]))(
    "%s %s answers 404 for another owner's resource",
    async (method, path) => {
      const { url, body } = requestFor(method, path);
      const res = await api.call(method, url, body, as(keys.bob));
      expect(res.status, `${method} ${url}: ${JSON.stringify(res.body)}`).toBe(404);
      expect(res.body.code).toBe("not_found");
    },
  );

  it("hides other owners' projects from listings and refuses their asset ids in bodies", async () => {
    const list = await api.call("GET", "/api/v1/projects?size=100", undefined, as(keys.bob));
    expect(list.body.items.map((p: { id: number }) => p.id)).not.toContain(alice.project);
    const mine = (await api.call("POST", "/api/v1/projects", { name: "bob's" }, as(keys.bob))).body
      .id;
    const [board] = await api.database.db
      .insert(storyboards)
      .values({ projectId: mine, position: 0 })
      .returning();
    const res = await api.call(
      "POST",
      `/api/v1/storyboards/${board?.id}/generate-frame`,
      { frame_prompt: "x", frame_asset_ids: [alice.asset] },
      as(keys.bob),
    );
    expect(res).toMatchObject({ status: 404, body: { code: "not_found" } });
    const own = await api.call(
      "GET",
      `/api/v1/projects/${alice.project}`,
      undefined,
      as(keys.alice),
    );
    expect(own.status).toBe(200);
  });

  it("scopes browser upload tokens to the owner's prefix", async () => {
    const token = await api.call("GET", "/api/v1/qiniu/upload-token", undefined, as(keys.bob));
    expect(token.body.key_prefix).toBe("uploads/bob/");
  });
});

describe("prompt templates", () => {
  it("are readable by every key and writable only with an admin key", async () => {
    const body = { step: "create_shots", name: "house", prompt: "${script}" };
    expect((await api.call("POST", "/api/v1/prompts", body, as(keys.alice))).body.code).toBe(
      "admin_required",
    );
    expect((await api.call("POST", "/api/v1/prompts", body, as(keys.admin))).status).toBe(200);
    const read = await api.call("GET", "/api/v1/prompts", undefined, as(keys.bob));
    expect(read.body.map((p: { name: string }) => p.name)).toContain("house");
  });
});

describe("key lookup cache", () => {
  const keyLookups = () => api.queries.filter((q) => /from "api_keys"/i.test(q)).length;

  it("keeps a key in use cached while thousands of unknown keys pass through (LRU, not wiped)", async () => {
    const { key } = await createApiKey("steady");
    expect(await authenticate(key)).toMatchObject({ owner: "steady" });
    for (let i = 0; i < 1500; i++) await authenticate(`sbk_unknown-${i}`);
    const before = keyLookups();
    expect(await authenticate(key)).toMatchObject({ owner: "steady" });
    expect(keyLookups()).toBe(before);
  });

  it("stops a revoked key at once in this process, without forgetting the other keys", async () => {
    const doomed = await createApiKey("doomed");
    const kept = await createApiKey("kept");
    for (const k of [doomed.key, kept.key])
      expect((await api.call("GET", "/api/v1/projects", undefined, as(k))).status).toBe(200);
    await revokeApiKey(doomed.id);
    const before = keyLookups();
    expect((await api.call("GET", "/api/v1/projects", undefined, as(doomed.key))).status).toBe(401);
    expect((await api.call("GET", "/api/v1/projects", undefined, as(kept.key))).status).toBe(200);
    // Only the revoked key was looked up again.
    expect(keyLookups() - before).toBe(1);
  });
});
