import { beforeAll, describe, expect, it } from "vitest";
import { useConsole } from "./support/console-page.ts";

/**
 * The API reference works with no internet: the page, Scalar's UI and the document all come from
 * the local server. Every request the page makes to any other host is aborted and recorded.
 */
// The same stack and browser as the console's tests; only the page it opens differs.
const session = useConsole("docs");
const elsewhere: string[] = [];
const served: string[] = [];

beforeAll(async () => {
  const { page } = session;
  await page.setRequestInterception(true);
  const local = new URL(session.url).host;
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

describe("/docs offline", () => {
  it("names no other origin in its HTML", async () => {
    const html = await (await fetch(`${session.url}/docs`)).text();
    expect(html).toContain('src="/docs/scalar.js"');
    expect(html.match(/https?:\/\/[^\s"'<>)]+/g) ?? []).toEqual([]);
  });

  it("renders the reference from the local server alone", async () => {
    const { page } = session;
    await page.goto(`${session.url}/docs`, { waitUntil: "networkidle0" });
    // An operation's summary, read from /openapi.json and drawn by the locally served UI.
    await page.waitForFunction(() => {
      // biome-ignore lint/performance/useDomNodeTextContent: the text a person sees, as laid out
      const seen = document.body.innerText;
      return (
        seen.includes("Storyboard Studio API") &&
        seen.includes("Readiness: database and job store reachable")
      );
    });
    const path = await session.shoot("reference");
    console.info(`docs screenshot: ${path}; requests served locally: ${served.length}`);
    expect(served).toContain("/docs/scalar.js");
    expect(served).toContain("/openapi.json");
    expect(elsewhere).toEqual([]);
  }, 60_000);
});
