import { readFile } from "node:fs/promises";
import { PNG } from "pngjs";
import { beforeAll, describe, expect, it } from "vitest";
import { localKeyOf, localPath } from "../core/storage/local.ts";
import { testApi } from "./support/app.ts";

const SCRIPT_TEMPLATE = "Write a 60 second film from this idea: ${script_or_idea}";
const STORYBOARD_TEMPLATE =
  "Materials:\n${materials_description}\nScript:\n${script}\nSplit into shots.";

let api: Awaited<ReturnType<typeof testApi>>;
beforeAll(async () => {
  api = await testApi();
});

async function readStoredPng(url: string) {
  const key = localKeyOf(url);
  expect(key, url).toBeDefined();
  return PNG.sync.read(await readFile(localPath(key as string)));
}

describe("offline pipeline through HTTP: idea → script → asset images → storyboards → frames", () => {
  it("produces real, labelled PNGs at every step", async () => {
    const project = (await api.call("POST", "/api/v1/projects", { name: "小猫冒险" })).body;

    const script = await api.call("POST", `/api/v1/projects/${project.id}/generate-script`, {
      script_or_idea: "一只橘猫在森林里迷路了。它遇到了一只猫头鹰。最后它们一起找到了回家的路。",
      prompt_template: SCRIPT_TEMPLATE,
    });
    expect(script.status).toBe(200);
    expect(script.body.full_script).toContain("Offline draft");
    expect(script.body.full_script).toContain("橘猫");
    expect(script.body.assets.length).toBeGreaterThanOrEqual(3);
    expect(script.body.assets.length).toBeLessThanOrEqual(6);

    for (const asset of script.body.assets) {
      const res = await api.call("POST", `/api/v1/assets/${asset.id}/generate-image`);
      expect(res.status).toBe(200);
      expect(res.body.asset.original_url).toMatch(/\/files\/projects\/\d+\/assets\/.+\.png$/);
      const png = await readStoredPng(res.body.asset.original_url);
      expect([png.width, png.height]).toEqual([1280, 1280]);
    }

    const boards = await api.call("POST", `/api/v1/projects/${project.id}/generate-storyboards`, {
      script: script.body.full_script,
      prompt_template: STORYBOARD_TEMPLATE,
    });
    expect(boards.status).toBe(200);
    expect(boards.body.length).toBeGreaterThanOrEqual(3);
    const assetIds = new Set(script.body.assets.map((a: { id: number }) => a.id));
    for (const board of boards.body) {
      expect(board.frame_asset_ids.every((id: number) => assetIds.has(id))).toBe(true);
    }
    expect(boards.body.map((b: { position: number }) => b.position)).toEqual(
      boards.body.map((_: unknown, i: number) => i + 1),
    );

    for (const board of boards.body) {
      const frame = await api.call("POST", `/api/v1/storyboards/${board.id}/generate-frame`, {
        frame_prompt: board.frame_prompt,
        frame_asset_ids: board.frame_asset_ids,
      });
      expect(frame.status).toBe(200);
      const png = await readStoredPng(frame.body.frame_image_url);
      expect([png.width, png.height]).toEqual([1280, 720]);
    }

    const first = boards.body[0];
    const guide = await api.call("POST", `/api/v1/storyboards/${first.id}/guide-frame`, {
      guide_image_url: (await api.call("GET", `/api/v1/projects/${project.id}`)).body.assets[0]
        .original_url,
    });
    expect(guide.status).toBe(200);

    const full = (await api.call("GET", `/api/v1/projects/${project.id}`)).body;
    expect(full.project.full_script).toBe(script.body.full_script);
    expect(full.project.script).toBe(script.body.full_script);
    expect(full.project.prompt_used).toMatchObject({
      template: STORYBOARD_TEMPLATE,
      provider: "offline",
      dropped_asset_ids: [],
    });
    expect(full.storyboards[0].frame_image_url).toBe(guide.body.frame_image_url);
    expect(full.storyboards.every((b: { frame_image_url: string }) => b.frame_image_url)).toBe(
      true,
    );
    expect(full.assets.every((a: { original_url: string }) => a.original_url)).toBe(true);

    const bytes = await readFile(
      localPath(localKeyOf(full.storyboards[1].frame_image_url) as string),
    );
    expect(bytes.includes(Buffer.from("OFFLINE"))).toBe(true);
  });
});
