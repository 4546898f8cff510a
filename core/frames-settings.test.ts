import { describe, expect, it } from "vitest";
import { projectWithSettings, storedStill, videoJobBench } from "../test/support/video-jobs.ts";
import { assets, storyboards } from "./db/schema.ts";

/** Frames and asset images follow the project's settings, as the fake Gemini receives them. */
const bench = videoJobBench();
const api = () => bench.api;
const STYLE = "ink and watercolour, muted palette";

/** The text and aspect ratio of the last image request the fake Gemini received. */
function lastImageRequest() {
  const request = bench.gemini.generateCalls().at(-1)?.json;
  return {
    text: request?.contents?.[0]?.parts?.[0]?.text as string,
    aspectRatio: request?.generationConfig?.imageConfig?.aspectRatio as string,
  };
}

describe("image prompts honour the project's settings", () => {
  it("draws a 9:16 project's first frame at 9:16, with the style in the prompt, and records both", async () => {
    const projectId = await projectWithSettings(api(), { aspect_ratio: "9:16", style: STYLE });
    const [board] = await api()
      .database.db.insert(storyboards)
      .values({ projectId, position: 1 })
      .returning();
    const res = await api().call("POST", `/api/v1/storyboards/${board?.id}/generate-frame`, {
      frame_prompt: "a lighthouse at dusk",
      frame_asset_ids: [],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(lastImageRequest()).toEqual({
      text: `a lighthouse at dusk\nStyle: ${STYLE}`,
      aspectRatio: "9:16",
    });
    const versions = await api().call("GET", `/api/v1/storyboards/${board?.id}/versions`);
    expect(versions.body[0].provenance).toMatchObject({
      prompt: `a lighthouse at dusk\nStyle: ${STYLE}`,
      aspect_ratio: "9:16",
      style: STYLE,
    });
    // The storyboard keeps the user's own prompt: the style is the project's, not the shot's.
    const project = await api().call("GET", `/api/v1/projects/${projectId}`);
    expect(project.body.storyboards[0].frame_prompt).toBe("a lighthouse at dusk");
  });

  it("a guided frame keeps the project's shape and style", async () => {
    const projectId = await projectWithSettings(api(), { aspect_ratio: "1:1", style: STYLE });
    const frame = await storedStill(`guided-${projectId}`);
    const guide = await storedStill(`guide-${projectId}`);
    const [board] = await api()
      .database.db.insert(storyboards)
      .values({ projectId, position: 1, framePrompt: "a fox", frameImageUrl: frame.url })
      .returning();
    const res = await api().call("POST", `/api/v1/storyboards/${board?.id}/guide-frame`, {
      guide_image_url: guide.url,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const sent = lastImageRequest();
    expect(sent.aspectRatio).toBe("1:1");
    expect(sent.text.endsWith(`\nStyle: ${STYLE}`)).toBe(true);
  });

  it("draws an asset's reference sheet square, in the project's style", async () => {
    const projectId = await projectWithSettings(api(), { aspect_ratio: "9:16", style: STYLE });
    const [asset] = await api()
      .database.db.insert(assets)
      .values({ projectId, name: "Keeper", description: "An old lighthouse keeper." })
      .returning();
    const res = await api().call("POST", `/api/v1/assets/${asset?.id}/generate-image`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const sent = lastImageRequest();
    expect(sent.aspectRatio).toBe("1:1");
    expect(sent.text).toContain("An old lighthouse keeper.");
    expect(sent.text.endsWith(`\nStyle: ${STYLE}`)).toBe(true);
  });

  it("a project without a style sends the prompt unchanged, at the deployment's default shape", async () => {
    const projectId = await projectWithSettings(api());
    const [board] = await api()
      .database.db.insert(storyboards)
      .values({ projectId, position: 1 })
      .returning();
    await api().call("POST", `/api/v1/storyboards/${board?.id}/generate-frame`, {
      frame_prompt: "plain",
      frame_asset_ids: [],
    });
    expect(lastImageRequest()).toEqual({ text: "plain", aspectRatio: "16:9" });
  });
});
