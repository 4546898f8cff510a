import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, ElementHandle, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetConfig } from "../core/config.ts";
import { database, useDatabase } from "../core/db/client.ts";
import { resetLocalUploadSecret } from "../core/storage/local.ts";
import { type LocalServer, startLocalServer } from "../functions/local/server.ts";
import { launchBrowser, screenshot } from "./support/browser.ts";

/**
 * The web console driven like a person would: buttons found by role and name, fields by their
 * labels, against the whole local stack (offline AI, local storage, real jobs) in a real headless
 * Chromium. Each step leaves a screenshot under test/artifacts/console/.
 */

// A real 1×1 PNG, the "own image" a person uploads for an asset.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==",
  "base64",
);
const dataDir = mkdtempSync(join(tmpdir(), "storyboard-console-"));
const pngPath = join(dataDir, "my-drawing.png");
writeFileSync(pngPath, PNG);

let server: LocalServer;
let browser: Browser;
let page: Page;
let projectId: number;
const shots: string[] = [];

beforeAll(async () => {
  process.env.DATA_DIR = dataDir;
  process.env.OFFLINE_VIDEO_DELAY_MS = "200";
  process.env.VIDEO_POLL_SECONDS = "1";
  process.env.VIDEO_SECONDS = "1";
  resetConfig();
  resetLocalUploadSecret();
  useDatabase(undefined);
  server = await startLocalServer(0);
  browser = await launchBrowser();
  page = await browser.newPage();
  page.setDefaultTimeout(15_000);
});
afterAll(async () => {
  console.log(`console screenshots:\n${shots.map((s) => `  ${s}`).join("\n")}`);
  await browser?.close();
  await server?.close();
  await (await database()).close();
});

/** An element by its accessible role and name, as assistive technology sees it. */
const aria = (role: string, name: string) => `::-p-aria([name="${name}"][role="${role}"])`;

async function find(role: string, name: string, within?: ElementHandle): Promise<ElementHandle> {
  const root = within ?? page;
  const handle = await root.waitForSelector(aria(role, name));
  if (!handle) throw new Error(`no ${role} named ${name}`);
  return handle as ElementHandle;
}

/**
 * The control a visible label names. For file inputs: Chromium exposes them as buttons, but
 * puppeteer's ARIA query does not find them by name.
 */
async function controlLabelled(
  text: string,
  within?: ElementHandle,
): Promise<ElementHandle<HTMLInputElement>> {
  const handle = await page.waitForFunction(
    (wanted, root) =>
      [...(root ?? document).querySelectorAll("label")].find(
        (l) => l.textContent?.trim() === wanted,
      )?.control,
    {},
    text,
    within,
  );
  return handle as ElementHandle<HTMLInputElement>;
}

/** An element by accessible name alone (a canvas has no role of its own worth naming). */
async function named(name: string, within?: ElementHandle): Promise<ElementHandle> {
  const handle = await (within ?? page).waitForSelector(`::-p-aria([name="${name}"])`);
  if (!handle) throw new Error(`nothing named ${name}`);
  return handle as ElementHandle;
}

/** The `src` of a shot's current first frame, as the frame view shows it. */
const frameSrc = (n: number) =>
  page.$eval(`img[alt="Current first frame of shot ${n}"]`, (img) => img.getAttribute("src"));

const click = async (role: string, name: string, within?: ElementHandle) =>
  (await find(role, name, within)).click();

async function type(label: string, text: string, within?: ElementHandle, role = "textbox") {
  const field = await find(role, label, within);
  await field.click({ count: 3 });
  await page.keyboard.press("Backspace");
  await field.type(text);
}

async function shoot(name: string) {
  const path = await screenshot(page, "console", name);
  shots.push(path);
  console.log(`screenshot: ${path}`);
}

async function api(path: string) {
  const res = await fetch(`${server.url}/api/v1${path}`);
  expect(res.status, path).toBe(200);
  // biome-ignore lint/suspicious/noExplicitAny: test reads the API's JSON loosely
  return (await res.json()) as any;
}
const project = () => api(`/projects/${projectId}`);

const shotCard = (n: number) => find("listitem", `Shot ${n}`);
const textOf = (el: ElementHandle) => el.evaluate((node) => node.textContent ?? "");

/** Waits until some `role="alert"` region says something, and returns what it says. */
async function alertText(): Promise<string> {
  const handle = await page.waitForFunction(() =>
    [...document.querySelectorAll('[role="alert"]')]
      .map((el) => (el.textContent ?? "").trim())
      .find(Boolean),
  );
  return String(await handle.jsonValue());
}

describe("web console, offline, in a real browser", () => {
  it("shows the shell, and a bad API key as words in an alert", async () => {
    await page.goto(server.url);
    await find("heading", "Projects");
    await page.waitForFunction(() => document.body.textContent?.includes("API ready"));
    await type("API key", "sk-not-a-real-key");
    await click("button", "Use key");
    const words = await alertText();
    expect(words).toMatch(/API key/i);
    await shoot("01-bad-key");
    await type("API key", "");
    await click("button", "Use key");
    await page.waitForFunction(() => document.body.textContent?.includes("No projects yet"));
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
  });

  it("creates a project from a one-line idea, and the hash keeps it on reload", async () => {
    await type("Project name", "Paper boat");
    await type("Idea (one line)", "A lighthouse keeper follows a paper boat upriver to a child.");
    await click("checkbox", "Narrated, with subtitles");
    await click("button", "Create project");
    await find("heading", "Paper boat");
    projectId = Number(/#\/projects\/(\d+)$/.exec(page.url())?.[1]);
    expect(projectId).toBeGreaterThan(0);
    await page.reload();
    await find("heading", "Paper boat");
    const made = (await project()).project;
    expect(made.script).toContain("lighthouse keeper");
    expect(made.settings).toMatchObject({ narration: true, subtitles: true });
    await shoot("02-new-project");
  });

  it("writes the script and lists its assets", async () => {
    await click("button", "Generate script");
    const script = await find("textbox", "Script");
    await page.waitForFunction((el) => (el as HTMLTextAreaElement).value.length > 20, {}, script);
    const { assets } = await project();
    expect(assets.length).toBeGreaterThanOrEqual(3);
    await find("button", `Generate image for ${assets[0].name}`);
    // The script is the person's to change: an added line, saved with a PATCH.
    const written = await script.evaluate((el) => (el as HTMLTextAreaElement).value);
    await script.click();
    await page.keyboard.down("Control");
    await page.keyboard.press("End");
    await page.keyboard.up("Control");
    await page.keyboard.type("\nScene 3 — The child folds the next boat.");
    await click("button", "Save script");
    await page.waitForFunction(
      (el) => (el as HTMLButtonElement).disabled,
      {},
      await find("button", "Save script"),
    );
    expect((await project()).project.full_script).toBe(
      `${written}\nScene 3 — The child folds the next boat.`,
    );
    await shoot("03-script");
  });

  it("refuses storyboards while assets have no image, in words", async () => {
    await click("button", "Generate storyboards");
    const words = await alertText();
    expect(words.length).toBeGreaterThan(10);
    expect((await project()).storyboards).toHaveLength(0);
    await shoot("04-refused-in-words");
  });

  it("uploads one asset image through the upload token, and draws the rest as a job", async () => {
    const [first] = (await project()).assets;
    const input = await controlLabelled(`Upload image for ${first.name}`);
    await input.uploadFile(pngPath);
    await find("image", `${first.name}, reference drawing`);
    const uploaded = (await project()).assets[0].original_url;
    expect(uploaded).toMatch(/\/files\/uploads\/.+\.png$/);
    // An image by its address, pasted: the second asset takes the same picture.
    const second = (await project()).assets[1];
    await type(`Image URL for ${second.name}`, uploaded);
    await click("button", "Use URL", await find("listitem", second.name));
    await find("image", `${second.name}, reference drawing`);
    expect((await project()).assets[1].original_url).toBe(uploaded);
    // One drawn on its own, with its own button.
    const third = (await project()).assets[2];
    await click("button", `Generate image for ${third.name}`);
    await find("image", `${third.name}, reference drawing`);

    await click("button", "Generate all missing images");
    await page.waitForFunction(() =>
      document.body.textContent?.includes("Asset images: succeeded"),
    );
    const progress = await page.$eval('progress[aria-label="Asset images"]', (p) => p.value);
    expect(progress).toBe(100);
    const { assets } = await project();
    expect(assets.every((a: { original_url: string }) => a.original_url)).toBe(true);
    for (const asset of assets) await find("image", `${asset.name}, reference drawing`);
    await shoot("05-asset-images");
  });

  it("splits the script into shots", async () => {
    await click("button", "Generate storyboards");
    await shotCard(3);
    expect((await project()).storyboards.length).toBeGreaterThanOrEqual(3);
    await shoot("06-storyboards");
  });

  it("edits, reorders, inserts and deletes shots", async () => {
    const before = (await project()).storyboards;
    // Edit: a new frame prompt and a duration for shot 1, saved with one PATCH.
    const card1 = await shotCard(1);
    await type("Frame prompt", "The keeper on the shore at dusk, paper boat at his feet", card1);
    await type("Duration (seconds)", "5", card1, "spinbutton");
    await type("Narration", "The keeper saw the boat at dusk.", card1);
    expect(await textOf(card1)).toContain("Unsaved changes");
    await click("button", "Save shot 1", card1);
    await page.waitForFunction((card) => !card.textContent?.includes("Unsaved changes"), {}, card1);
    const edited = (await project()).storyboards[0];
    expect(edited.frame_prompt).toBe("The keeper on the shore at dusk, paper boat at his feet");
    expect(edited.duration_seconds).toBe(5);
    expect(edited.narration).toBe("The keeper saw the boat at dusk.");
    await shoot("07-shot-edited");

    // Reorder: shot 1 moves down, so the old second shot leads.
    await click("button", "Move shot 1 down");
    await page.waitForFunction(
      (id) => document.querySelector(".shot")?.querySelector("h3")?.id === `shot-${id}-title`,
      {},
      before[1].id,
    );
    let order = (await project()).storyboards.map((s: { id: number }) => s.id);
    expect(order.slice(0, 2)).toEqual([before[1].id, before[0].id]);
    await shoot("08-shot-moved");

    // Insert after shot 1.
    await click("button", "Insert shot after shot 1");
    const form = await find("form", "New shot after shot 1");
    await type("New shot's frame prompt", "A close-up of the paper boat's folded sail", form);
    await type("New shot's motion prompt", "Slow push in as the boat turns", form);
    await click("button", "Add shot", form);
    await shotCard(before.length + 1);
    const inserted = (await project()).storyboards;
    expect(inserted).toHaveLength(before.length + 1);
    expect(inserted[1].frame_prompt).toBe("A close-up of the paper boat's folded sail");
    await shoot("09-shot-inserted");

    // Delete shot 2 (the inserted one), after confirming.
    await click("button", "Delete shot 2");
    await click("button", "Yes, delete shot 2");
    await page.waitForFunction(
      (n) => document.querySelectorAll(".shot").length === n,
      {},
      before.length,
    );
    order = (await project()).storyboards.map((s: { id: number }) => s.id);
    expect(order).toEqual([
      before[1].id,
      before[0].id,
      ...before.slice(2).map((s: { id: number }) => s.id),
    ]);
    await shoot("10-shot-deleted");
  });

  // The frame, version and film views (built by another hand) inside the same flow.
  it("draws a frame, sends a sketch as its guide, picks the older version, uploads another", async () => {
    const frame1 = await find("region", "Frame of shot 1");
    await click("button", "Generate frame", frame1);
    await find("image", "Current first frame of shot 1", frame1);
    const drawn = await frameSrc(1);
    await shoot("12-frame-generated");

    await click("button", "Sketch a guide", frame1);
    const canvas = await named("Sketch canvas", frame1);
    await canvas.scrollIntoView();
    const box = await canvas.boundingBox();
    if (!box) throw new Error("the sketch canvas has no box");
    // A person's stroke: press, a zig-zag of mouse moves, release.
    await page.mouse.move(box.x + box.width * 0.15, box.y + box.height * 0.3);
    await page.mouse.down();
    for (let i = 1; i <= 12; i++) {
      const y = box.y + box.height * (i % 2 ? 0.7 : 0.3);
      await page.mouse.move(box.x + box.width * (0.15 + i * 0.06), y, { steps: 3 });
    }
    await page.mouse.up();
    await shoot("13-sketch");
    await click("button", "Send sketch as guide", frame1);
    await page.waitForFunction(
      (was) =>
        document.querySelector('img[alt="Current first frame of shot 1"]')?.getAttribute("src") !==
        was,
      {},
      drawn,
    );
    const board = (await project()).storyboards[0];
    const frames = (await api(`/storyboards/${board.id}/versions`)).filter(
      (v: { kind: string }) => v.kind === "frame",
    );
    expect(frames.map((v: { source: string }) => v.source)).toEqual(["guided", "generated"]);
    await shoot("14-guided-frame");

    const versions1 = await find("region", "Versions of shot 1");
    await click("button", "Select this version", versions1);
    await page.waitForFunction(
      (want) =>
        document.querySelector('img[alt="Current first frame of shot 1"]')?.getAttribute("src") ===
        want,
      {},
      drawn,
    );
    expect((await project()).storyboards[0].frame_image_url).toBe(drawn);
    await shoot("15-older-version-selected");

    const frame2 = await find("region", "Frame of shot 2");
    await (await controlLabelled("Upload frame", frame2)).uploadFile(pngPath);
    await find("image", "Current first frame of shot 2", frame2);
    expect((await project()).storyboards[1].frame_image_url).toMatch(/\/files\/uploads\//);
  });

  it("makes one shot's video, renders the film with progress, and plays it with subtitles", async () => {
    const video1 = await find("listitem", "Video of shot 1");
    await click("button", "Generate video", video1);
    await page.waitForFunction(
      (el) => el.textContent?.includes("Ready"),
      { timeout: 30_000 },
      video1,
    );
    expect((await project()).storyboards[0].shot_video_url).toMatch(/\.mp4$/);

    await click("button", "Render film");
    await find("progressbar", "Render progress");
    await shoot("16-rendering");
    const cut = (await page.waitForSelector('video[aria-label="Final cut"]', {
      timeout: 60_000,
    })) as ElementHandle<HTMLVideoElement>;
    const { project: film } = await project();
    expect(film.video_url).toMatch(/\.mp4$/);
    await cut.scrollIntoView();
    await cut.evaluate(async (v) => {
      v.muted = true; // autoplay rules let a muted video play without a gesture
      await v.play();
    });
    await page.waitForFunction(
      (v) => v.readyState >= 2 && v.currentTime > 0.3 && !v.paused,
      { timeout: 15_000 },
      cut,
    );
    const subtitles = await page.waitForFunction(
      (v) => {
        const track = v.textTracks[0];
        return track && (track.cues?.length ?? 0) > 0
          ? { kind: track.kind, text: Array.from(track.cues ?? [], (c) => (c as VTTCue).text) }
          : false;
      },
      { timeout: 15_000 },
      cut,
    );
    const track = (await subtitles.jsonValue()) as { kind: string; text: string[] };
    expect(track.kind).toBe("subtitles");
    expect(await cut.$eval('track[kind="subtitles"]', (t) => t.getAttribute("src"))).toBeTruthy();
    expect(track.text.join(" ")).toContain("The keeper saw the boat at dusk.");
    expect(await page.evaluate(() => document.body.textContent)).toContain("Cost so far");
    await shoot("17-final-cut-playing");
  }, 90_000);

  it("fits a 390 px wide screen in one column", async () => {
    await page.setViewport({ width: 390, height: 844 });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    const [a, b] = await page.$$eval(".shot", (cards) =>
      cards.slice(0, 2).map((c) => c.getBoundingClientRect().left),
    );
    expect(a).toBe(b);
    await shoot("11-narrow-390px");
    await page.setViewport({ width: 1280, height: 900 });
  });

  it("names every control for assistive technology", async () => {
    const controls = await page.$$("button, input, select, textarea, canvas");
    expect(controls.length).toBeGreaterThan(50);
    const unnamed: string[] = [];
    for (const control of controls) {
      // Inside a closed <details>, a control is out of the accessibility tree until opened.
      if (!(await control.evaluate((el) => el.checkVisibility()))) continue;
      const node = await page.accessibility.snapshot({ root: control, interestingOnly: false });
      if (!node?.name?.trim()) unnamed.push(await control.evaluate((el) => el.outerHTML));
    }
    expect(unnamed).toEqual([]);
  });

  it("deletes the project after asking, and the list says so", async () => {
    await click("link", "← All projects");
    await find("heading", "Projects");
    await click("button", "Delete Paper boat");
    await click("button", "Yes, delete project");
    await page.waitForFunction(() => document.body.textContent?.includes("No projects yet"));
    const res = await fetch(`${server.url}/api/v1/projects/${projectId}`);
    expect(res.status).toBe(404);
    await shoot("18-project-deleted");

    // Its old address now says why it cannot open, instead of a blank page.
    await page.goto(`${server.url}/#/projects/${projectId}`);
    expect(await alertText()).toMatch(/^This project could not be opened: .+/);
    await find("link", "← All projects");
    await shoot("19-deleted-project-address");
  });
});
