import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetConfig } from "../core/config.ts";
import { database, useDatabase } from "../core/db/client.ts";
import { type LocalServer, startLocalServer } from "../functions/local/server.ts";
import { launchBrowser, screenshot } from "./support/browser.ts";

/**
 * The API reference works with no internet: the page, Scalar's UI and the document all come from
 * the local server. Every request the page makes to any other host is aborted and recorded.
 */
let server: LocalServer;
let browser: Browser;
let page: Page;
const elsewhere: string[] = [];
const served: string[] = [];

beforeAll(async () => {
  process.env.DATA_DIR = mkdtempSync(join(tmpdir(), "storyboard-docs-"));
  resetConfig();
  useDatabase(undefined);
  server = await startLocalServer(0);
  browser = await launchBrowser();
  page = await browser.newPage();
  page.setDefaultTimeout(15_000);
  await page.setRequestInterception(true);
  const local = new URL(server.url).host;
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.protocol === "data:" || url.protocol === "blob:" || url.host === local) {
      served.push(url.pathname);
      void request.continue();
    } else {
      elsewhere.push(request.url());
      void request.abort("blockedbyclient");
    }
  });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await (await database()).close();
});

describe("/docs offline", () => {
  it("names no other origin in its HTML", async () => {
    const html = await (await fetch(`${server.url}/docs`)).text();
    expect(html).toContain('src="/docs/scalar.js"');
    expect(html.match(/https?:\/\/[^\s"'<>)]+/g) ?? []).toEqual([]);
  });

  it("renders the reference from the local server alone", async () => {
    await page.goto(`${server.url}/docs`, { waitUntil: "networkidle0" });
    // An operation's summary, read from /openapi.json and drawn by the locally served UI.
    await page.waitForFunction(() => {
      // biome-ignore lint/performance/useDomNodeTextContent: the text a person sees, as laid out
      const seen = document.body.innerText;
      return (
        seen.includes("Storyboard Studio API") &&
        seen.includes("Readiness: database and job store reachable")
      );
    });
    const path = await screenshot(page, "docs", "reference");
    console.info(`docs screenshot: ${path}; requests served locally: ${served.length}`);
    expect(served).toContain("/docs/scalar.js");
    expect(served).toContain("/openapi.json");
    expect(elsewhere).toEqual([]);
  }, 60_000);
});
