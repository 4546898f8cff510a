import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { resetConfig } from "../../core/config.ts";
import { spend, storyboards } from "../../core/db/schema.ts";
import { costOf, settleJobSpend } from "../../core/spend.ts";
import { type TestApi, testApi } from "../../test/support/app.ts";

/** Each vendor's keys (CONTRACT, "Models"): set, its models are available. */
const VENDOR_KEYS: Record<string, string[]> = {
  dashscope: ["DASHSCOPE_API_KEY"],
  zhipu: ["ZHIPU_API_KEY"],
  kling: ["KLING_ACCESS_KEY", "KLING_SECRET_KEY"],
  ark: ["ARK_API_KEY"],
};
const KEYS = [
  "GOOGLE_API_KEY",
  "GEMINI_API_KEY",
  "OPENROUTER_API_KEY",
  "VERTEX_PROJECT",
  "VIDEO_ROUTE",
  "PRICES_JSON",
  ...Object.values(VENDOR_KEYS).flat(),
];
const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));

/** A fresh clone: no provider keys, offline everywhere; then `env` on top. */
function useEnv(env: Record<string, string> = {}) {
  for (const k of KEYS) delete process.env[k];
  Object.assign(process.env, env);
  resetConfig();
}

type Row = {
  id: string;
  provider: string;
  available: boolean;
  capabilities: Record<string, unknown> | null;
  price: Record<string, number>;
};

let api: TestApi;
beforeAll(async () => {
  api = await testApi();
});
afterEach(() => {
  for (const k of KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  resetConfig();
});

const models = async () => {
  const res = await api.call("GET", "/api/v1/models");
  expect(res.status).toBe(200);
  return res.body as Record<"text" | "image" | "video" | "speech", Row[]>;
};
const row = (rows: Row[], id: string) => rows.find((r) => r.id === id) as Row;

describe("GET /models", () => {
  it("lists every kind; a fresh clone has only the offline models available", async () => {
    useEnv();
    const list = await models();
    for (const kind of ["text", "image", "video", "speech"] as const) {
      expect(list[kind].length).toBeGreaterThan(1);
      const available = list[kind].filter((m) => m.available);
      expect(available.map((m) => m.provider)).toEqual(["offline"]);
    }
    expect(row(list.video, "offline-video-v1").capabilities).toMatchObject({
      first_frame: true,
      last_frame: true,
    });
    for (const m of list.video) {
      expect(m.capabilities).toMatchObject({
        first_frame: expect.any(Boolean),
        last_frame: expect.any(Boolean),
        reference_images: expect.any(Number),
        durations: expect.any(Array),
        aspect_ratios: expect.any(Array),
        audio: expect.any(Boolean),
      });
    }
    // Every vendor is listed, and the Veo model of the Gemini route too.
    const providers = new Set(list.video.map((m) => m.provider));
    for (const vendor of [...Object.keys(VENDOR_KEYS), "gemini", "vertex", "offline"])
      expect(providers).toContain(vendor);
  });

  it("marks a provider's models available when its keys are set", async () => {
    for (const [vendor, keys] of Object.entries(VENDOR_KEYS)) {
      useEnv(Object.fromEntries(keys.map((k) => [k, `test-${k}`])));
      const video = (await models()).video;
      const own = video.filter((m) => m.provider === vendor);
      expect(own.length, vendor).toBeGreaterThan(0);
      expect(own.every((m) => m.available)).toBe(true);
      expect(video.filter((m) => m.provider !== vendor && m.provider !== "offline")).toSatisfy(
        (rest: Row[]) => rest.every((m) => !m.available),
      );
    }
    if (VENDOR_KEYS.kling) {
      useEnv({ KLING_ACCESS_KEY: "only-one-half" });
      const kling = (await models()).video.filter((m) => m.provider === "kling");
      expect(kling.some((m) => m.available)).toBe(false);
    }
    useEnv({ GOOGLE_API_KEY: "g", OPENROUTER_API_KEY: "o" });
    const list = await models();
    for (const kind of ["text", "image", "speech"] as const)
      expect(list[kind].every((m) => m.available)).toBe(true);
    expect(list.video.find((m) => m.provider === "gemini")?.available).toBe(true);
  });

  it("prices each model as the ledger charges it, PRICES_JSON overrides included", async () => {
    useEnv({ PRICES_JSON: JSON.stringify({ video_per_second: 0.5, image: 0.05 }) });
    const list = await models();
    for (const m of list.video) {
      const provider = m.provider;
      expect(costOf("video", provider, { seconds: 8 }, m.id), m.id).toBeCloseTo(
        8 * (m.price.per_second_usd as number),
      );
    }
    expect(row(list.video, "veo-3.1-generate-preview").price).toEqual({ per_second_usd: 0.5 });
    const image = list.image.find((m) => m.provider === "gemini") as Row;
    expect(image.price).toEqual({ per_image_usd: 0.05 });
    expect(costOf("image", "gemini", { images: 1 })).toBe(0.05);
    const text = list.text.find((m) => m.provider === "openrouter") as Row;
    expect(costOf("llm", "openrouter", { input_tokens: 1000, output_tokens: 1000 })).toBeCloseTo(
      (text.price.per_1k_input_tokens_usd as number) +
        (text.price.per_1k_output_tokens_usd as number),
    );
    const speech = list.speech.find((m) => m.provider === "gemini") as Row;
    expect(costOf("speech", "gemini", { input_tokens: 1000, output_tokens: 1000 })).toBeCloseTo(
      (speech.price.per_1k_input_tokens_usd as number) +
        (speech.price.per_1k_output_tokens_usd as number),
    );
  });

  it("puts a vendor model on the ledger at its listed per-second price, overridable by id", async () => {
    const vendorModel = (await models()).video.find((m) => m.provider === "kling") as Row;
    const projectId = (await api.call("POST", "/api/v1/projects", { name: "priced" })).body.id;
    const charge = async (jobId: string) => {
      await settleJobSpend({
        jobId,
        step: "video",
        projectId,
        kind: "video",
        provider: "kling",
        model: vendorModel.id,
        units: { seconds: 5 },
      });
      const rows = await api.database.db.select().from(spend);
      return rows.find((r) => r.jobId === jobId)?.costUsd;
    };
    useEnv();
    const listed = row((await models()).video, vendorModel.id).price.per_second_usd as number;
    expect(listed).toBeGreaterThan(0);
    expect(await charge(`priced-${Date.now()}`)).toBeCloseTo(5 * listed);
    useEnv({ PRICES_JSON: JSON.stringify({ [`video_per_second:${vendorModel.id}`]: 0.01 }) });
    expect(row((await models()).video, vendorModel.id).price).toEqual({ per_second_usd: 0.01 });
    expect(await charge(`override-${Date.now()}`)).toBeCloseTo(0.05);
  });
});

describe("choosing a video model", () => {
  async function shot(settings: Record<string, unknown> = {}) {
    const projectId = (await api.call("POST", "/api/v1/projects", { name: "pick", settings })).body
      .id;
    const [board] = await api.database.db
      .insert(storyboards)
      .values({ projectId, position: 0, frameImageUrl: "https://cdn.example.com/f.png" })
      .returning();
    return board?.id as number;
  }
  const generate = (boardId: number, body: Record<string, unknown>, estimate = false) =>
    api.call(
      "POST",
      `/api/v1/storyboards/${boardId}/generate-video${estimate ? "?estimate=true" : ""}`,
      { shot_prompt: "pan", ...body },
    );

  it("refuses an unknown model with 400 naming the available ones", async () => {
    useEnv();
    const boardId = await shot();
    for (const estimate of [true, false]) {
      const res = await generate(boardId, { model: "veo-9-imaginary" }, estimate);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe("unknown_model");
      expect(res.body.detail).toContain("offline-video-v1");
    }
    const fromSettings = await generate(await shot({ video_model: "nope-1" }), {}, true);
    expect(fromSettings.status).toBe(400);
    expect(fromSettings.body.code).toBe("unknown_model");
  });

  it("refuses a model whose provider is not configured with 400 model_unavailable", async () => {
    useEnv();
    const vendorModel = (await models()).video.find((m) => m.provider === "dashscope") as Row;
    const boardId = await shot();
    const res = await generate(boardId, { model: vendorModel.id });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("model_unavailable");
    expect(res.body.detail).toContain("offline-video-v1");
    expect(res.body.detail).not.toContain(`available: ${vendorModel.id}`);
    const veo = await generate(await shot({ video_model: "veo-3.1-generate-preview" }), {}, true);
    expect(veo.body.code).toBe("model_unavailable");
  });

  it("estimates with the chosen model's capabilities and price, and says what it mapped", async () => {
    useEnv({ DASHSCOPE_API_KEY: "test-key" });
    const list = await models();
    // A vendor model that makes no 8 s clip: the project's 8 s is mapped to the nearest it makes.
    const pick = list.video.find(
      (m) =>
        m.provider === "dashscope" &&
        m.capabilities?.first_frame &&
        !(m.capabilities.durations as number[]).includes(8),
    ) as Row;
    const boardId = await shot({ shot_seconds: 8 });
    const res = await generate(boardId, { model: pick.id }, true);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const used = res.body.basis.seconds as number;
    expect(pick.capabilities?.durations).toContain(used);
    expect(res.body.basis.model).toBe(pick.id);
    expect(res.body.basis.mapped).toContainEqual(
      expect.objectContaining({ field: "duration_seconds", requested: 8, used }),
    );
    expect(res.body.estimate_usd).toBeCloseTo(used * (pick.price.per_second_usd as number));
  });

  it("a render prices and plans its shots with the project's model", async () => {
    useEnv({ DASHSCOPE_API_KEY: "test-key" });
    const pick = (await models()).video.find(
      (m) => m.provider === "dashscope" && m.capabilities?.first_frame,
    ) as Row;
    const boardId = await shot({ video_model: pick.id });
    const [board] = await api.database.db
      .select()
      .from(storyboards)
      .where(eq(storyboards.id, boardId));
    const projectId = board?.projectId as number;
    const dry = await api.call("POST", `/api/v1/projects/${projectId}/render`, { dry_run: true });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    // The same model and price as the shot's own estimate (its project's model, no `model`).
    const single = await generate(boardId, {}, true);
    expect(single.body.basis.model).toBe(pick.id);
    expect(dry.body.estimate.paid_calls).toBe(1);
    expect(dry.body.estimate.usd).toBeGreaterThan(0);
    expect(dry.body.estimate.usd).toBeCloseTo(single.body.estimate_usd);
    expect(single.body.estimate_usd).toBeCloseTo(
      single.body.basis.seconds * (pick.price.per_second_usd as number),
    );
    useEnv();
    const refused = await api.call("POST", `/api/v1/projects/${projectId}/render`, {
      dry_run: true,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe("model_unavailable");
  });
});
