/**
 * The web console and the API reference as a browser gets them: bytes of each build (raw and
 * gzip), then the time from navigation until the page is usable in headless Chromium (the
 * projects list answered; the reference's operations drawn), the median of BENCH_RUNS (default
 * 5) cold loads, each in a fresh browser context (no cache). Everything on 127.0.0.1.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "vite";
import { consoleDist } from "../functions/local/console.ts";
import { startLocalServer } from "../functions/local/server.ts";
import { launchBrowser } from "../test/support/browser.ts";

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function filesOf(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesOf(path) : [path];
  });
}

function sizes(files: string[]) {
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const bytes = readFileSync(file);
    raw += bytes.length;
    gzip += gzipSync(bytes).length;
  }
  return { raw, gzip };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;

async function main() {
  process.env.LOG_LEVEL = "silent";
  process.env.DATA_DIR = await mkdtemp(join(tmpdir(), "bench-console-"));
  const started = performance.now();
  await build({
    configFile: new URL("../console/vite.config.ts", import.meta.url).pathname,
    logLevel: "silent",
  });
  const buildMs = performance.now() - started;
  const server = await startLocalServer(0);
  const browser = await launchBrowser();
  const pages = [
    {
      name: "console /",
      path: "/",
      // The projects list has answered (empty or not): the page is usable.
      ready: "section[aria-labelledby='projects-title'][aria-busy='false']",
    },
    { name: "API reference /docs", path: "/docs", ready: ".scalar-app, .references-layout" },
  ];
  const rows: string[][] = [];
  try {
    for (const { name, path, ready } of pages) {
      const times: number[] = [];
      let transferred = 0;
      for (let i = 0; i < RUNS; i++) {
        const context = await browser.createBrowserContext();
        const page = await context.newPage();
        let bytes = 0;
        page.on("response", (r) => {
          const length = Number(r.headers()["content-length"] ?? 0);
          bytes += Number.isFinite(length) ? length : 0;
        });
        const t0 = performance.now();
        await page.goto(`${server.url}${path}`);
        await page.waitForSelector(ready, { timeout: 30_000 });
        times.push(performance.now() - t0);
        transferred = bytes;
        await context.close();
      }
      rows.push([name, `${median(times).toFixed(0)} ms`, transferred ? kb(transferred) : "—"]);
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const built = sizes(filesOf(consoleDist));
  const js = sizes(filesOf(consoleDist).filter((f) => f.endsWith(".js")));
  console.log("\nWeb console build (console/dist)\n");
  console.log("| what | raw | gzip |\n|---|---:|---:|");
  console.log(`| all files | ${kb(built.raw)} | ${kb(built.gzip)} |`);
  console.log(`| JavaScript | ${kb(js.raw)} | ${kb(js.gzip)} |`);
  console.log(`| vite build | ${(buildMs / 1000).toFixed(2)} s | |`);
  console.log(`\nCold page load in headless Chromium, median of ${RUNS}\n`);
  console.log("| page | navigation → usable | bytes received (content-length) |\n|---|---:|---:|");
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
}

await main();
process.exit(0);
