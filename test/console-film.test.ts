import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type components, createStudioClient, type StudioClient } from "@storyboard-studio/client";
import type { ElementHandle, HTTPRequest } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consolePage, useConsole } from "./support/console-page.ts";
import { TINY_PNG } from "./support/local-stack.ts";

/**
 * The frame, version and film views of the web console in a real Chromium against the whole
 * local stack (offline providers, short videos): sketch a guide, pick an older frame, make a shot
 * video, render the film and play the final cut with its subtitles.
 */
type Storyboard = components["schemas"]["Storyboard"];

// Videos take long enough for progress to be seen moving, short enough for a quick test.
const session = useConsole("console-film", { videoDelayMs: 2500 });
const ui = consolePage(session);
let api: StudioClient;
let projectId: number;
let shots: Storyboard[];
const started = Date.now();

async function data<T>(request: Promise<{ data?: T; error?: unknown }>): Promise<T> {
  const { data, error } = await request;
  if (error !== undefined || data === undefined) throw new Error(JSON.stringify(error));
  return data;
}

const shot = async (id: number) =>
  (
    await data(
      api.GET("/api/v1/projects/{project_id}", { params: { path: { project_id: projectId } } }),
    )
  ).storyboards.find((s) => s.id === id) as Storyboard;
const versionsOf = (id: number) =>
  data(
    api.GET("/api/v1/storyboards/{storyboard_id}/versions", {
      params: { path: { storyboard_id: id } },
    }),
  );
const shoot = (name: string) => session.shoot(name);

/** The button (or other element) with this text inside the region of this accessible name. */
async function inRegion(region: string, text: string): Promise<ElementHandle<Element>> {
  const handle = await session.page.waitForSelector(`[aria-label="${region}"] ::-p-text(${text})`, {
    visible: true,
  });
  return handle as ElementHandle<Element>;
}

beforeAll(async () => {
  api = createStudioClient({ baseUrl: session.url });
  const project = await data(
    api.POST("/api/v1/projects", {
      body: { name: "Console film", settings: { narration: true, subtitles: true } },
    }),
  );
  projectId = project.id;
  const lines = [
    ["A lighthouse at dusk, waves below", "Slow push in on the lighthouse", "The light came on."],
    ["A small boat on a dark sea", "The boat rocks in the swell", "A boat found its way home."],
  ];
  shots = [];
  for (const [frame_prompt, shot_prompt, narration] of lines) {
    const board = await data(
      api.POST("/api/v1/projects/{project_id}/storyboards", {
        params: { path: { project_id: projectId } },
        body: {
          frame_prompt: frame_prompt as string,
          shot_prompt: shot_prompt as string,
          narration,
        },
      }),
    );
    await data(
      api.POST("/api/v1/storyboards/{storyboard_id}/generate-frame", {
        params: { path: { storyboard_id: board.id } },
        body: { frame_prompt: board.frame_prompt, frame_asset_ids: [] },
      }),
    );
    shots.push(await shot(board.id));
  }
  await session.page.goto(`${session.url}/#/projects/${projectId}`);
}, 90_000);

afterAll(() => {
  console.log(`console-film: ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
});

describe("console: frames, versions and the film", () => {
  it("sends a sketch as a guide: a new guided frame version becomes the shot's frame", async () => {
    const first = shots[0] as Storyboard;
    await ui.waitForFrameSrc(1, first.frame_image_url as string);
    await shoot("01-project");

    await (await inRegion("Frame of shot 1", "Sketch a guide")).click();
    const canvas = await ui.named("Sketch canvas", await ui.find("region", "Frame of shot 1"));
    // Two strokes, real mouse events through the pointer handlers, leave ink on the canvas.
    await ui.scribble(canvas, 16);
    const inked = await ui.inkedPixels(canvas);
    expect(inked).toBeGreaterThan(500);
    await shoot("02-sketch");

    await (await inRegion("Frame of shot 1", "Send sketch as guide")).click();
    await ui.waitForFrameSrc(1, first.frame_image_url as string, true);
    const now = await shot(first.id);
    expect(now.frame_image_url).not.toBe(first.frame_image_url);
    expect(await ui.frameSrc(1)).toBe(now.frame_image_url);
    const frames = (await versionsOf(first.id)).filter((v) => v.kind === "frame");
    expect(frames).toHaveLength(2);
    expect(frames[0]).toMatchObject({ source: "guided", current: true, url: now.frame_image_url });
    const guide = frames[0]?.provenance.input_versions as { guide_image_url?: string };
    // The guide is the uploaded sketch itself: a PNG in the owner's upload prefix.
    expect(guide.guide_image_url).toMatch(/\/files\/uploads\/local\/.+\.png$/);
    const [before, after] = await Promise.all(
      [first.frame_image_url, now.frame_image_url].map(async (u) =>
        Buffer.from(await (await fetch(u as string)).arrayBuffer()),
      ),
    );
    expect((before as Buffer).equals(after as Buffer)).toBe(false);
    await shoot("03-guided");
  });

  it("selects the older frame version again", async () => {
    const first = shots[0] as Storyboard;
    const region = '[aria-label="Versions of shot 1"]';
    await session.page.waitForFunction(
      (r) => document.querySelectorAll(`${r} .version-card`).length === 2,
      { timeout: 10_000 },
      region,
    );
    const select = await session.page.waitForSelector(`${region} ::-p-text(Select this version)`, {
      visible: true,
    });
    await select?.scrollIntoView();
    await select?.click();
    await ui.waitForFrameSrc(1, first.frame_image_url as string);
    expect((await shot(first.id)).frame_image_url).toBe(first.frame_image_url);
    const current = (await versionsOf(first.id)).find((v) => v.kind === "frame" && v.current);
    expect(current?.source).toBe("generated");
    await session.page.waitForSelector(`${region} .version-card.current ::-p-text(Current)`);
    await shoot("04-older-version-selected");
  });

  it("refuses a file that is not an image, in words, and takes an uploaded frame", async () => {
    const first = shots[0] as Storyboard;
    const input = (await session.page.$(
      '[aria-label="Frame of shot 1"] input[type="file"]',
    )) as ElementHandle<HTMLInputElement>;
    const dir = mkdtempSync(join(tmpdir(), "console-film-upload-"));
    writeFileSync(join(dir, "notes.html"), "<b>not an image</b>");
    writeFileSync(join(dir, "frame.png"), TINY_PNG);
    await input.uploadFile(join(dir, "notes.html"));
    const alert = await session.page.waitForSelector(
      '[aria-label="Frame of shot 1"] [role="alert"]:not(:empty)',
    );
    expect(await alert?.evaluate((e) => e.textContent)).toMatch(/not accepted/);
    await shoot("05-upload-refused");

    await input.uploadFile(join(dir, "frame.png"));
    await ui.waitForFrameSrc(1, first.frame_image_url as string, true);
    const uploaded = (await versionsOf(first.id)).find((v) => v.kind === "frame" && v.current);
    expect(uploaded?.source).toBe("uploaded");
    expect(await ui.frameSrc(1)).toBe(uploaded?.url);
  });

  it("generates one shot's video with live progress", async () => {
    const first = shots[0] as Storyboard;
    const button = await inRegion("Video of shot 1", "Generate video");
    await button.scrollIntoView();
    // A double click starts one paid video, not two: the button is off from the first click, not
    // only once the API has answered. Submits are held until both clicks are in, so the second
    // lands while the first is still on its way however fast the local API answers.
    const submits: string[] = [];
    const held: HTTPRequest[] = [];
    let clicked = false;
    const watchSubmits = (request: HTTPRequest) => {
      if (request.method() === "POST" && request.url().endsWith("/generate-video")) {
        submits.push(request.url());
        if (!clicked) return void held.push(request);
      }
      void request.continue();
    };
    await session.page.setRequestInterception(true);
    session.page.on("request", watchSubmits);
    await button.click({ count: 2 });
    clicked = true;
    for (const request of held) await request.continue();
    const progress = await session.page.waitForSelector(
      'progress[aria-label="Video progress of shot 1"]',
    );
    expect(progress).not.toBeNull();
    await shoot("06-video-running");
    await session.page.waitForSelector('[aria-label="Video of shot 1"] ::-p-text(Ready)', {
      timeout: 30_000,
    });
    expect((await shot(first.id)).shot_video_url).toMatch(/\.mp4$/);
    const jobs = await data(
      api.GET("/api/v1/projects/{project_id}/jobs", {
        params: { path: { project_id: projectId } },
      }),
    );
    session.page.off("request", watchSubmits);
    await session.page.setRequestInterception(false);
    expect(submits).toHaveLength(1);
    expect(jobs.filter((j) => j.type === "generate_video")).toHaveLength(1);
    expect(
      await session.page.$eval(
        '[aria-label="Video of shot 1"] [role="alert"]',
        (e) => e.textContent,
      ),
    ).toBe("");
    await session.page.waitForSelector('video[aria-label="Video clip of shot 1"]');
    await shoot("07-video-ready");
  });

  it("renders the film with a moving progress bar, then plays the cut with subtitles", async () => {
    // Record every value the progress bar shows, from the first one on: it may only go forward.
    await session.page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      new MutationObserver(() => {
        const bar = document.querySelector('[role="progressbar"][aria-label="Render progress"]');
        const value = bar?.getAttribute("aria-valuenow");
        if (value !== null && value !== undefined && seen.at(-1) !== value) seen.push(value);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    const render = await session.page.waitForSelector(".film ::-p-text(Render film)");
    await render?.scrollIntoView();
    await render?.click();
    await session.page.waitForSelector('[role="progressbar"][aria-label="Render progress"]');
    await session.page.waitForFunction(
      () => {
        const bar = document.querySelector('[role="progressbar"][aria-label="Render progress"]');
        const value = Number(bar?.getAttribute("aria-valuenow"));
        return value > 0 && value < 100;
      },
      { timeout: 30_000 },
    );
    expect(await session.page.$eval(".render-progress [aria-live]", (e) => e.textContent)).toMatch(
      /Stage: /,
    );
    await shoot("08-rendering");

    await session.page.waitForSelector('video[aria-label="Final cut"]', { timeout: 60_000 });
    // Shot 2's row (no video before the render: the render made it) says Ready. How many values
    // the bar showed on the way, and when within the render the row turned, are a matter of
    // timing (2 s long-polls against steps of a second or two), so neither is asserted.
    await session.page.waitForSelector('[aria-label="Video of shot 2"] ::-p-text(Ready)');
    const seen = await session.page.evaluate(() =>
      (window as unknown as { seen: string[] }).seen.map(Number),
    );
    expect(seen.at(-1)).toBe(100);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(await session.page.$eval(".render-progress [aria-live]", (e) => e.textContent)).toMatch(
      /Finished/,
    );

    const project = await data(
      api.GET("/api/v1/projects/{project_id}", { params: { path: { project_id: projectId } } }),
    );
    expect(project.project.video_url).toMatch(/\.mp4$/);
    const played = await ui.playFinalCut();
    expect(played.src).toBe(project.project.video_url);
    expect(played.kind).toBe("subtitles");
    expect(played.cues.join(" ")).toMatch(/lighthouse|light came on/i);
    await shoot("09-playing");

    const cost = await session.page.$eval('output[aria-label="Cost so far"]', (e) => e.textContent);
    expect(cost).toMatch(/^\$\d+\.\d{2}$/);
  }, 90_000);

  it("cancels a render: the job ends canceled and the view says so", async () => {
    const second = shots[1] as Storyboard;
    // A changed motion prompt makes the shot's video stale, so a render has work to do.
    await data(
      api.PATCH("/api/v1/storyboards/{storyboard_id}", {
        params: { path: { storyboard_id: second.id } },
        body: { shot_prompt: "The boat turns toward the light" },
      }),
    );
    await session.page.reload();
    await (await session.page.waitForSelector(".film ::-p-text(Render film)"))?.click();
    const cancel = await session.page.waitForSelector(".film ::-p-text(Cancel render)", {
      visible: true,
    });
    await cancel?.click();
    await session.page.waitForFunction(
      () =>
        /Canceled/.test(document.querySelector(".render-progress [aria-live]")?.textContent ?? ""),
      { timeout: 30_000 },
    );
    const jobs = await data(
      api.GET("/api/v1/projects/{project_id}/jobs", {
        params: { path: { project_id: projectId } },
      }),
    );
    expect(jobs.find((j) => j.type === "render_film")?.status).toBe("canceled");
    await shoot("10-render-canceled");

    // A phone-sized screen: the film section fits its width (no sideways scrolling).
    await session.page.setViewport({ width: 390, height: 844 });
    const overflow = await session.page.$eval(".film", (e) => e.scrollWidth - e.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // Every version card stays whole inside its strip: none cut off at an edge.
    const cards = await session.page.$$eval(
      '[aria-label="Versions of shot 1"] .version-card',
      (all) =>
        all.map((card) => {
          const c = card.getBoundingClientRect();
          const strip = (card.parentElement as Element).getBoundingClientRect();
          return c.left >= strip.left - 0.5 && c.right <= strip.right + 0.5;
        }),
    );
    expect(cards.length).toBeGreaterThanOrEqual(3);
    expect(cards.every(Boolean)).toBe(true);
    await shoot("11-narrow");
  }, 60_000);
});
