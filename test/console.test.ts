import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { consolePage, useConsole } from "./support/console-page.ts";
import { TINY_PNG } from "./support/local-stack.ts";

/**
 * The whole offline flow in the web console, as a person walks it, from a new project to a
 * playing final cut: idea → script → asset images → storyboards → frames (one guided by a sketch)
 * → a shot video → the render → the film with its subtitles. One stack and one page for all the
 * steps, each leaving a screenshot under test/artifacts/console/. Editing shots, the shell and
 * deleting a project: test/console-edit.test.ts; the film views in depth: console-film.test.ts.
 */
const session = useConsole("console");
const ui = consolePage(session);
const pngPath = join(mkdtempSync(join(tmpdir(), "storyboard-console-upload-")), "my-drawing.png");
writeFileSync(pngPath, TINY_PNG);
let projectId: number;

async function api(path: string) {
  const res = await fetch(`${session.url}/api/v1${path}`);
  expect(res.status, path).toBe(200);
  // biome-ignore lint/suspicious/noExplicitAny: test reads the API's JSON loosely
  return (await res.json()) as any;
}
const project = () => api(`/projects/${projectId}`);

describe("web console: the whole offline flow, new project to playing final cut", () => {
  it("creates a project from a one-line idea, and the hash keeps it on reload", async () => {
    await session.page.goto(session.url);
    await ui.find("heading", "Projects");
    await ui.waitForText("API ready");
    await ui.type("Project name", "Paper boat");
    await ui.type(
      "Idea (one line)",
      "A lighthouse keeper follows a paper boat upriver to a child.",
    );
    await ui.click("checkbox", "Narrated, with subtitles");
    await ui.click("button", "Create project");
    await ui.find("heading", "Paper boat");
    projectId = Number(/#\/projects\/(\d+)$/.exec(session.page.url())?.[1]);
    expect(projectId).toBeGreaterThan(0);
    await session.page.reload();
    await ui.find("heading", "Paper boat");
    const made = (await project()).project;
    expect(made.script).toContain("lighthouse keeper");
    expect(made.settings).toMatchObject({ narration: true, subtitles: true });
    await session.shoot("01-new-project");
  });

  it("writes the script with the step's default template, lists its assets, saves an edit", async () => {
    await ui.click("button", "Generate script");
    const script = await ui.find("textbox", "Script");
    await session.page.waitForFunction(
      (el) => (el as HTMLTextAreaElement).value.length > 20,
      {},
      script,
    );
    const { assets } = await project();
    expect(assets.length).toBeGreaterThanOrEqual(3);
    await ui.find("button", `Generate image for ${assets[0].name}`);
    // The console sent no template: the API used its built-in one and stored it for editing.
    expect((await api("/prompts/step/create_script")).map((t: { name: string }) => t.name)).toEqual(
      ["default"],
    );
    // The script is the person's to change: an added line, saved with a PATCH.
    const written = await script.evaluate((el) => (el as HTMLTextAreaElement).value);
    await script.click();
    await session.page.keyboard.down("Control");
    await session.page.keyboard.press("End");
    await session.page.keyboard.up("Control");
    await session.page.keyboard.type("\nScene 3 — The child folds the next boat.");
    await ui.click("button", "Save script");
    await session.page.waitForFunction(
      (el) => (el as HTMLButtonElement).disabled,
      {},
      await ui.find("button", "Save script"),
    );
    expect((await project()).project.full_script).toBe(
      `${written}\nScene 3 — The child folds the next boat.`,
    );
    await session.shoot("02-script");
  });

  it("refuses storyboards while assets have no image, in words", async () => {
    await ui.click("button", "Generate storyboards");
    expect((await ui.alertText()).length).toBeGreaterThan(10);
    expect((await project()).storyboards).toHaveLength(0);
    await session.shoot("03-refused-in-words");
  });

  it("uploads one asset image, pastes a URL for another, draws one, then the rest as a job", async () => {
    const [first, second, third] = (await project()).assets;
    await (await ui.controlLabelled(`Upload image for ${first.name}`)).uploadFile(pngPath);
    await ui.find("image", `${first.name}, reference drawing`);
    const uploaded = (await project()).assets[0].original_url;
    expect(uploaded).toMatch(/\/files\/uploads\/.+\.png$/);
    // An image by its address, pasted: the second asset takes the same picture.
    await ui.type(`Image URL for ${second.name}`, uploaded);
    await ui.click("button", "Use URL", await ui.find("listitem", second.name));
    await ui.find("image", `${second.name}, reference drawing`);
    expect((await project()).assets[1].original_url).toBe(uploaded);
    await ui.click("button", `Generate image for ${third.name}`);
    await ui.find("image", `${third.name}, reference drawing`);

    await ui.click("button", "Generate all missing images");
    await ui.waitForText("Asset images: succeeded");
    const progress = await session.page.$eval(
      'progress[aria-label="Asset images"]',
      (p) => p.value,
    );
    expect(progress).toBe(100);
    const { assets } = await project();
    expect(assets.every((a: { original_url: string }) => a.original_url)).toBe(true);
    for (const asset of assets) await ui.find("image", `${asset.name}, reference drawing`);
    await session.shoot("04-asset-images");
  });

  it("splits the script into shots, and gives shot 1 its narration", async () => {
    await ui.click("button", "Generate storyboards");
    await ui.find("listitem", "Shot 3");
    expect((await project()).storyboards.length).toBeGreaterThanOrEqual(3);
    const card1 = await ui.find("listitem", "Shot 1");
    await ui.type("Narration", "The keeper saw the boat at dusk.", card1);
    await ui.click("button", "Save shot 1", card1);
    await session.page.waitForFunction(
      (card) => !card.textContent?.includes("Unsaved changes"),
      {},
      card1,
    );
    expect((await project()).storyboards[0].narration).toBe("The keeper saw the boat at dusk.");
    await session.shoot("05-storyboards");
  });

  it("draws a frame, sends a sketch as its guide, picks the older version, uploads another", async () => {
    const frame1 = await ui.find("region", "Frame of shot 1");
    await ui.click("button", "Generate frame", frame1);
    await ui.find("image", "Current first frame of shot 1", frame1);
    const drawn = await ui.frameSrc(1);
    await session.shoot("06-frame-generated");

    await ui.click("button", "Sketch a guide", frame1);
    await ui.scribble(await ui.named("Sketch canvas", frame1));
    await session.shoot("07-sketch");
    await ui.click("button", "Send sketch as guide", frame1);
    await ui.waitForFrameSrc(1, drawn, true);
    const board = (await project()).storyboards[0];
    const frames = (await api(`/storyboards/${board.id}/versions`)).filter(
      (v: { kind: string }) => v.kind === "frame",
    );
    expect(frames.map((v: { source: string }) => v.source)).toEqual(["guided", "generated"]);
    await session.shoot("08-guided-frame");

    await ui.click("button", "Select this version", await ui.find("region", "Versions of shot 1"));
    await ui.waitForFrameSrc(1, drawn);
    expect((await project()).storyboards[0].frame_image_url).toBe(drawn);
    await session.shoot("09-older-version-selected");

    const frame2 = await ui.find("region", "Frame of shot 2");
    await (await ui.controlLabelled("Upload frame", frame2)).uploadFile(pngPath);
    await ui.find("image", "Current first frame of shot 2", frame2);
    expect((await project()).storyboards[1].frame_image_url).toMatch(/\/files\/uploads\//);
  });

  it("makes one shot's video, renders the film with progress, and plays it with subtitles", async () => {
    const video1 = await ui.find("listitem", "Video of shot 1");
    await ui.click("button", "Generate video", video1);
    await session.page.waitForFunction(
      (el) => el.textContent?.includes("Ready"),
      { timeout: 30_000 },
      video1,
    );
    expect((await project()).storyboards[0].shot_video_url).toMatch(/\.mp4$/);

    await ui.click("button", "Render film");
    await ui.find("progressbar", "Render progress");
    await session.shoot("10-rendering");
    const played = await ui.playFinalCut();
    const { project: film } = await project();
    expect(film.video_url).toMatch(/\.mp4$/);
    expect(played.src).toBe(film.video_url);
    expect(played.kind).toBe("subtitles");
    expect(played.trackSrc).toBeTruthy();
    expect(played.cues.join(" ")).toContain("The keeper saw the boat at dusk.");
    expect(await session.page.evaluate(() => document.body.textContent)).toContain("Cost so far");
    await session.shoot("11-final-cut-playing");
  }, 90_000);
});
