import { mkdirSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import chromium from "@sparticuz/chromium";
import puppeteer, { type Browser, type Page } from "puppeteer-core";

/**
 * A real headless Chromium from npm alone: `@sparticuz/chromium` ships the browser inside the
 * package (unpacked to the temp dir on first use, about a second), `puppeteer-core` drives it.
 * No download at install time and no system package, so `npm install` is all a machine needs.
 * Background networking is off: tests reach nothing beyond 127.0.0.1.
 */
/**
 * Flags `@sparticuz/chromium` sets for Lambda that a test browser must not have: one process
 * (a second browser context crashes it) and web security off (the console must work under the
 * same-origin rules a user's browser enforces).
 */
const LAMBDA_ONLY = new Set([
  "--single-process",
  "--disable-web-security",
  "--allow-running-insecure-content",
]);

export async function launchBrowser(): Promise<Browser> {
  const userDataDir = await mkdtemp(join(tmpdir(), "storyboard-chromium-"));
  return puppeteer.launch({
    executablePath: await chromium.executablePath(),
    headless: true,
    userDataDir,
    args: [
      ...chromium.args.filter((arg) => !LAMBDA_ONLY.has(arg)),
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
    defaultViewport: { width: 1280, height: 900 },
  });
}

/** Screenshots are test artifacts: kept under test/artifacts/ (ignored by git) after the run. */
export const artifactsDir = resolve(import.meta.dirname, "../artifacts");

/** Saves a full-page PNG under test/artifacts/<suite>/ and returns its path from the repo root. */
export async function screenshot(page: Page, suite: string, name: string): Promise<string> {
  const dir = join(artifactsDir, suite);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return relative(resolve(artifactsDir, "../.."), path);
}
