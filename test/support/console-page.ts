import type { Browser, ElementHandle, Page } from "puppeteer-core";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { launchBrowser, screenshot } from "./browser.ts";
import { type LocalStackOptions, useLocalStack } from "./local-stack.ts";

/**
 * The web console driven like a person would: buttons found by role and name, fields by their
 * labels, in a real headless Chromium against the whole local stack. Shared by the console's
 * browser tests, each of which opens one stack and one page for its suite.
 */
export interface ConsoleSession {
  url: string;
  page: Page;
  /** Screenshot paths taken so far, printed when the suite ends. */
  shots: string[];
  /** A full-page screenshot under test/artifacts/<suite>/, its path printed and kept. */
  shoot: (name: string) => Promise<string>;
  /** Uncaught errors, unhandled rejections and `console.error`s of the page since the last test. */
  pageErrors: string[];
}

/**
 * The browser reports every refused request ("Failed to load resource: … 401") as a console
 * error; the tests provoke those on purpose and check the words the page shows for them instead.
 */
const REFUSED_REQUEST = /^Failed to load resource: the server responded with a status of [45]\d\d/;

export function useConsole(suite: string, options: LocalStackOptions = {}): ConsoleSession {
  const stack = useLocalStack(suite, options);
  let browser: Browser;
  const session = { shots: [], pageErrors: [] } as unknown as ConsoleSession;
  session.shoot = async (name) => {
    const path = await screenshot(session.page, suite, name);
    session.shots.push(path);
    console.log(`screenshot: ${path}`);
    return path;
  };
  beforeAll(async () => {
    session.url = stack.url;
    browser = await launchBrowser();
    session.page = await browser.newPage();
    session.page.setDefaultTimeout(15_000);
    session.page.on("pageerror", (error) => {
      session.pageErrors.push(`pageerror: ${error instanceof Error ? error.stack : error}`);
    });
    session.page.on("console", (message) => {
      if (message.type() === "error" && !REFUSED_REQUEST.test(message.text())) {
        session.pageErrors.push(`console.error: ${message.text()}`);
      }
    });
  });
  // A failure the page did not catch is a bug even when the view still looks right.
  afterEach(() => {
    const seen = session.pageErrors.splice(0);
    expect(seen, "errors in the page").toEqual([]);
  });
  afterAll(async () => {
    if (session.shots.length) {
      console.log(`${suite} screenshots:\n${session.shots.map((s) => `  ${s}`).join("\n")}`);
    }
    await browser?.close();
  });
  return session;
}

/** An element by its accessible role and name, as assistive technology sees it. */
const aria = (role: string, name: string) => `::-p-aria([name="${name}"][role="${role}"])`;

/** Page helpers bound to one page: what a person looks for, named the way they would name it. */
export function consolePage(s: { page: Page }) {
  const find = async (role: string, name: string, within?: ElementHandle) => {
    const handle = await (within ?? s.page).waitForSelector(aria(role, name));
    if (!handle) throw new Error(`no ${role} named ${name}`);
    return handle as ElementHandle;
  };
  return {
    find,
    click: async (role: string, name: string, within?: ElementHandle) =>
      (await find(role, name, within)).click(),

    /** Clears the field with this accessible name and types into it, as a person would. */
    type: async (label: string, text: string, within?: ElementHandle, role = "textbox") => {
      const field = await find(role, label, within);
      await field.click({ count: 3 });
      await s.page.keyboard.press("Backspace");
      await field.type(text);
    },

    /** An element by accessible name alone (a canvas has no role of its own worth naming). */
    named: async (name: string, within?: ElementHandle) => {
      const handle = await (within ?? s.page).waitForSelector(`::-p-aria([name="${name}"])`);
      if (!handle) throw new Error(`nothing named ${name}`);
      return handle as ElementHandle;
    },

    /**
     * The control a visible label names. For file inputs: Chromium exposes them as buttons, but
     * puppeteer's ARIA query does not find them by name.
     */
    controlLabelled: async (text: string, within?: ElementHandle) =>
      (await s.page.waitForFunction(
        (wanted, root) =>
          [...(root ?? document).querySelectorAll("label")].find(
            (l) => l.textContent?.trim() === wanted,
          )?.control,
        {},
        text,
        within,
      )) as ElementHandle<HTMLInputElement>,

    /** Until the page says this, anywhere. */
    waitForText: (text: string, timeout?: number) =>
      s.page.waitForFunction((t) => document.body.textContent?.includes(t), { timeout }, text),

    /** Waits until some `role="alert"` region says something, and returns what it says. */
    alertText: async () => {
      const handle = await s.page.waitForFunction(() =>
        [...document.querySelectorAll('[role="alert"]')]
          .map((el) => (el.textContent ?? "").trim())
          .find(Boolean),
      );
      return String(await handle.jsonValue());
    },

    /** The `src` of a shot's current first frame, as the frame view shows it. */
    frameSrc: (position: number) =>
      s.page.$eval(`img[alt="Current first frame of shot ${position}"]`, (img) =>
        img.getAttribute("src"),
      ),

    /** Until the shot's frame in the page is `url` (or, with `changed`, anything but `url`). */
    waitForFrameSrc: (position: number, url: string | null, changed = false) =>
      s.page.waitForFunction(
        (alt, want, away) =>
          (document.querySelector(`img[alt="${alt}"]`)?.getAttribute("src") === want) !== away,
        { timeout: 20_000 },
        `Current first frame of shot ${position}`,
        url,
        changed,
      ),

    /** A person's drawing on a canvas: a zig-zag stroke, then a line under it. */
    scribble: async (canvas: ElementHandle, zigs = 12) => {
      await canvas.scrollIntoView();
      const box = await canvas.boundingBox();
      if (!box) throw new Error("the canvas has no box");
      const at = (x: number, y: number) => [box.x + box.width * x, box.y + box.height * y] as const;
      const mouse = s.page.mouse;
      await mouse.move(...at(0.1, 0.2));
      await mouse.down();
      for (let i = 1; i <= zigs; i++) {
        await mouse.move(...at(0.1 + (i * 0.8) / zigs, i % 2 ? 0.7 : 0.2), { steps: 3 });
      }
      await mouse.up();
      await mouse.move(...at(0.2, 0.85));
      await mouse.down();
      await mouse.move(...at(0.8, 0.85), { steps: 10 });
      await mouse.up();
    },

    /** Ink on a canvas: how many pixels are not its white background. */
    inkedPixels: (canvas: ElementHandle) =>
      (canvas as ElementHandle<HTMLCanvasElement>).evaluate((c) => {
        const context = c.getContext("2d") as CanvasRenderingContext2D;
        const pixels = context.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < pixels.length; i += 4) if ((pixels[i] as number) < 200) n++;
        return n;
      }),

    /**
     * Plays the final cut (muted: autoplay rules let it play without a gesture) until it has
     * really played a moment, and answers its subtitle track once the cues are loaded and shown.
     */
    playFinalCut: async () => {
      const cut = (await s.page.waitForSelector('video[aria-label="Final cut"]', {
        timeout: 60_000,
      })) as ElementHandle<HTMLVideoElement>;
      await cut.scrollIntoView();
      await cut.evaluate(async (v) => {
        v.muted = true;
        await v.play();
      });
      await s.page.waitForFunction(
        (v) => v.readyState >= 2 && v.currentTime > 0.3 && !v.paused,
        { timeout: 15_000 },
        cut,
      );
      const subtitles = await s.page.waitForFunction(
        (v) => {
          const track = v.textTracks[0];
          return track && track.mode === "showing" && (track.cues?.length ?? 0) > 0
            ? { kind: track.kind, cues: Array.from(track.cues ?? [], (c) => (c as VTTCue).text) }
            : false;
        },
        { timeout: 15_000 },
        cut,
      );
      const track = (await subtitles.jsonValue()) as { kind: string; cues: string[] };
      return {
        ...track,
        src: await cut.evaluate((v) => v.currentSrc),
        trackSrc: await cut.$eval('track[kind="subtitles"]', (t) => t.getAttribute("src")),
      };
    },
  };
}

/** What an element says. */
export const textOf = (el: ElementHandle) => el.evaluate((node) => node.textContent ?? "");
