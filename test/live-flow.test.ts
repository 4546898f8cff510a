import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stillToClip } from "../core/media/clip.ts";
import { useProviders } from "../core/providers/index.ts";
import { renderCard } from "../core/providers/offline/card.ts";
import { type LocalServer, startLocalServer } from "../functions/local/server.ts";
import { testApi } from "./support/app.ts";
import { type FakeGemini, startFakeGemini } from "./support/fakes/gemini.ts";
import {
  completion,
  type FakeOpenRouter,
  startFakeOpenRouter,
} from "./support/fakes/openrouter.ts";
import { type FakeQiniu, startFakeQiniu } from "./support/fakes/qiniu.ts";

let gemini: FakeGemini;
let openrouter: FakeOpenRouter;
let qiniu: FakeQiniu;
let api: Awaited<ReturnType<typeof testApi>>;
let server: LocalServer;
const saved = { ...process.env };

beforeAll(async () => {
  [gemini, openrouter, qiniu] = await Promise.all([
    startFakeGemini(),
    startFakeOpenRouter(),
    startFakeQiniu({ accessKey: "test-ak", secretKey: "test-sk", bucket: "films" }),
  ]);
  Object.assign(process.env, {
    GOOGLE_API_KEY: "test-google-key",
    GEMINI_BASE_URL: gemini.url,
    OPENROUTER_API_KEY: "test-openrouter-key",
    OPENROUTER_BASE_URL: `${openrouter.url}/api/v1`,
    QINIU_ACCESS_KEY: "test-ak",
    QINIU_SECRET_KEY: "test-sk",
    QINIU_BUCKET_NAME: "films",
    QINIU_UP_HOST: qiniu.url,
    QINIU_DOMAIN: qiniu.url, // the fake serves uploaded keys too
    ALLOW_PRIVATE_URLS: "true", // everything here lives on 127.0.0.1
  });
  openrouter.respond = (req) => {
    if (req.json.response_format.json_schema.name === "script") {
      return completion(
        JSON.stringify({
          full_script: "Scene 1. A cat wakes in a forest. Scene 2. An owl shows the way home.",
          assets: [
            { name: "Cat", description: "Small orange cat", tags: ["animal", "lead"] },
            { name: "Owl", description: "Wise grey owl", tags: ["animal"] },
          ],
        }),
      );
    }
    const ids = [...String(req.json.messages.at(-1).content).matchAll(/"id": (\d+)/g)].map((m) =>
      Number(m[1]),
    );
    return completion(
      JSON.stringify({
        storyboards: [
          { frame_prompt: "The cat wakes", frame_asset_ids: [ids[0]], shot_prompt: "slow push-in" },
          { frame_prompt: "The owl appears", frame_asset_ids: ids, shot_prompt: "pan right" },
        ],
      }),
    );
  };
  const { mkdtemp, readFile, writeFile } = await import("node:fs/promises");
  const dir = await mkdtemp(`${(await import("node:os")).tmpdir()}/live-veo-`);
  await writeFile(
    `${dir}/s.png`,
    renderCard({ width: 320, height: 180, title: "veo", prompt: "", label: "", seed: "l" }),
  );
  await stillToClip(`${dir}/s.png`, `${dir}/v.mp4`, { width: 320, height: 180, seconds: 1 });
  gemini.video = await readFile(`${dir}/v.mp4`);
  gemini.veo = { pendingChecks: 1, outcome: "video" };
  process.env.VIDEO_POLL_SECONDS = "1";
  process.env.DATA_DIR = dir;
  useProviders(undefined);
  api = await testApi();
  // The whole local stack (emulated DynamoDB/SQS, poller, worker) around the same database.
  server = await startLocalServer(0);
});

afterAll(async () => {
  await server?.close();
  process.env = saved;
  useProviders(undefined);
  await Promise.all([gemini?.stop(), openrouter?.stop(), qiniu?.stop()]);
});

describe("live adapters end to end (keys and base URLs set, real SDKs, fake servers)", () => {
  it("runs idea → script → asset images → storyboards → frames → guided frame", async () => {
    expect((await api.call("GET", "/health")).body.offline).toEqual({
      text: false,
      image: false,
      video: false,
      storage: false,
    });
    const id = (await api.call("POST", "/api/v1/projects", { name: "live" })).body.id;
    const script = await api.call("POST", `/api/v1/projects/${id}/generate-script`, {
      script_or_idea: "a lost cat",
      prompt_template: "Idea: ${script_or_idea}",
    });
    expect(script.status, JSON.stringify(script.body)).toBe(200);
    expect(openrouter.requests[0]?.json.messages.at(-1).content).toBe("Idea: a lost cat");

    for (const asset of script.body.assets) {
      const res = await api.call("POST", `/api/v1/assets/${asset.id}/generate-image`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.asset.original_url).toMatch(
        new RegExp(`^${qiniu.url}/projects/${id}/assets/`),
      );
      expect(res.body.asset.image_meta).toMatchObject({
        provider: "gemini",
        model: "gemini-3.1-flash-image",
      });
    }

    const boards = await api.call("POST", `/api/v1/projects/${id}/generate-storyboards`, {
      script: script.body.full_script,
      prompt_template: "${materials_description}\n${script}",
    });
    expect(boards.status, JSON.stringify(boards.body)).toBe(200);
    expect(boards.body.map((b: { frame_asset_ids: number[] }) => b.frame_asset_ids)).toEqual([
      [script.body.assets[0].id],
      script.body.assets.map((a: { id: number }) => a.id),
    ]);

    const frame = await api.call(
      "POST",
      `/api/v1/storyboards/${boards.body[1].id}/generate-frame`,
      {
        frame_prompt: "The owl appears",
        frame_asset_ids: boards.body[1].frame_asset_ids,
      },
    );
    expect(frame.status, JSON.stringify(frame.body)).toBe(200);
    const frameCall = gemini.generateCalls().at(-1);
    expect(frameCall?.json.contents[0].parts).toHaveLength(3); // prompt + both asset images
    expect(frameCall?.json.generationConfig.imageConfig.aspectRatio).toBe("16:9");

    const guided = await api.call("POST", `/api/v1/storyboards/${boards.body[1].id}/guide-frame`, {
      guide_image_url: script.body.assets.length
        ? `${qiniu.url}/${[...qiniu.files.keys()][0]}`
        : "",
    });
    expect(guided.status, JSON.stringify(guided.body)).toBe(200);
    expect(guided.body.frame_image_url).not.toBe(frame.body.frame_image_url);

    const full = (await api.call("GET", `/api/v1/projects/${id}`)).body;
    expect(full.storyboards[1].frame_meta).toMatchObject({
      provider: "gemini",
      previous_frame_url: frame.body.frame_image_url,
    });
    // 2 asset images + 1 frame + 1 guided frame, each stored once on Qiniu.
    expect(gemini.generateCalls()).toHaveLength(4);
    expect(qiniu.files.size).toBe(4);
    expect(openrouter.requests).toHaveLength(2);
  });

  it("makes shot videos through Veo (Gemini API route) and the final cut, as jobs over HTTP", async () => {
    const call = async (
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ) => {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { ...(body ? { "content-type": "application/json" } : {}), ...headers },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: await res.json() };
    };
    const id = (await call("POST", "/api/v1/projects", { name: "live film" })).body.id;
    const script = await call("POST", `/api/v1/projects/${id}/generate-script`, {
      script_or_idea: "a lost cat",
      prompt_template: "Idea: ${script_or_idea}",
    });
    const batch = await call("POST", `/api/v1/projects/${id}/generate-asset-images`, undefined, {
      prefer: "wait=20",
    });
    expect(batch.status, JSON.stringify(batch.body)).toBe(200);
    const boards = await call("POST", `/api/v1/projects/${id}/generate-storyboards`, {
      script: script.body.full_script,
      prompt_template: "${materials_description}\n${script}",
    });
    const starts = gemini.acceptedVideoStarts();
    for (const board of boards.body) {
      await call("POST", `/api/v1/storyboards/${board.id}/generate-frame`, {
        frame_prompt: board.frame_prompt,
        frame_asset_ids: board.frame_asset_ids,
      });
      const shot = await call(
        "POST",
        `/api/v1/storyboards/${board.id}/generate-video`,
        { shot_prompt: board.shot_prompt },
        {
          prefer: "wait=20",
        },
      );
      expect(shot.status, JSON.stringify(shot.body)).toBe(200);
      expect(shot.body.shot_video_url).toMatch(new RegExp(`^${qiniu.url}/projects/${id}/videos/`));
    }
    expect(gemini.acceptedVideoStarts() - starts).toBe(boards.body.length);
    const cut = await call("POST", `/api/v1/projects/${id}/compose-video`, undefined, {
      prefer: "wait=25",
    });
    expect(cut.status, JSON.stringify(cut.body)).toBe(200);
    expect(qiniu.files.get(new URL(cut.body.video_url).pathname.slice(1))?.mimeType).toBe(
      "video/mp4",
    );
  });
});
