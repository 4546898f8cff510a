/**
 * Each Lambda bundled as deployed (scripts/bundle.ts: infra/defaults.ts on top of SST's fixed
 * settings), then cold-started in fresh Node processes: import time and the first request, the
 * median of BENCH_RUNS (default 5) runs each. Requests are chosen to need no database or provider.
 * Sizes: "loaded" is the entry file plus the chunks it imports statically (what a cold start
 * reads); "on disk" is every file deployed, including chunks only a request's `import()` reads.
 * To measure an alternative to infra/defaults.ts: BENCH_SPLITTING=false, BENCH_PLUGINS=none.
 */
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { routeModules } from "../functions/api/manifest.ts";
import type { ApiRoute } from "../functions/api/types.ts";
import { type Bundle, bundleHandler, type LambdaBuild } from "../scripts/bundle.ts";
import { routeLoads } from "../scripts/route-loads.ts";

const run = promisify(execFile);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
const OVERRIDES = {
  ...(process.env.BENCH_SPLITTING ? { splitting: process.env.BENCH_SPLITTING !== "false" } : {}),
  ...(process.env.BENCH_PLUGINS === "none" ? { plugins: "" } : {}),
} as Partial<LambdaBuild>;

/** A request that fails path validation: the whole stack runs up to the handler, no I/O. */
function probeRequest(routes: readonly ApiRoute[]) {
  const paths = routes.map((r) => ({ method: r.route.method.toUpperCase(), path: r.route.path }));
  const route =
    paths.find((r) => r.path.includes("_id}")) ??
    paths.find((r) => r.path.includes("{")) ??
    paths[0];
  const path = (route?.path ?? "/").replace(/\{[^}]+\}/g, "x");
  return {
    version: "2.0",
    routeKey: `${route?.method} ${route?.path}`,
    rawPath: path,
    rawQueryString: "",
    headers: { host: "bench.local" },
    requestContext: {
      http: {
        method: route?.method,
        path,
        protocol: "HTTP/1.1",
        sourceIp: "127.0.0.1",
        userAgent: "bench",
      },
      requestId: "bench",
    },
    isBase64Encoded: false,
  };
}

interface Lambda {
  name: string;
  entry: string;
  /** The first invocation's event; none where every invocation does I/O (sweeper, migrations). */
  event?: unknown;
  /** An API Lambda's routes (one Lambda each, all sharing this bundle). */
  routes?: readonly ApiRoute[];
}

function lambdas(): Lambda[] {
  return [
    ...Object.entries(routeModules).map(([name, { routes }]) => ({
      name: `api/${name}`,
      entry: `functions/api/${name}.ts`,
      event: probeRequest(routes),
      routes,
    })),
    // An empty batch: the subscribers run their handler without touching a queue or table.
    { name: "worker", entry: "functions/worker.ts", event: { Records: [] } },
    { name: "dead-letter", entry: "functions/dead-letter.ts", event: { Records: [] } },
    { name: "sweeper", entry: "functions/sweeper.ts" },
    { name: "migrate", entry: "functions/migrate.ts" },
  ];
}

interface Cold {
  importMs: number;
  firstMs?: number;
  status?: number;
}

async function coldStart(bundle: Bundle, event: unknown): Promise<Cold> {
  const runner = join(dirname(bundle.file), "bench-run.mjs");
  const request =
    event === undefined
      ? ""
      : `const r = await m.handler(${JSON.stringify(event)}, { awsRequestId: "bench" });
result.firstMs = performance.now() - t1;
result.status = r?.statusCode;`;
  await writeFile(
    runner,
    `const t0 = performance.now();
const m = await import(${JSON.stringify(bundle.file)});
const t1 = performance.now();
const result = { importMs: t1 - t0 };
${request}
console.log(JSON.stringify(result));`,
  );
  const dataDir = await mkdtemp(join(tmpdir(), "bench-data-"));
  const { stdout } = await run(process.execPath, [runner], {
    env: { PATH: process.env.PATH, LOG_LEVEL: "silent", DATA_DIR: dataDir },
  });
  return JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as Cold;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

/** The most one request to the Lambda can read: its cold start plus what its route calls load. */
async function mostOnACall(lambda: Lambda, bundle: Bundle) {
  let most = bundle.loadedBytes;
  for (const route of lambda.routes ?? []) {
    const loads = await routeLoads(bundle, lambda.entry, lambda.routes ?? [], route);
    most = Math.max(most, loads.bytes);
  }
  return most;
}

async function main() {
  console.log(`Median of ${RUNS} fresh processes each. "on a call": the most one route's request`);
  console.log("can read with its provider calls (live and offline adapters both counted).\n");
  console.log("Lambda                    loaded   on disk  on a call    import  1st request");
  for (const lambda of lambdas()) {
    const bundle = await bundleHandler(lambda.entry, OVERRIDES);
    const runs: Cold[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await coldStart(bundle, lambda.event));
    const importMs = median(runs.map((r) => r.importMs));
    const first =
      lambda.event === undefined ? "—" : `${median(runs.map((r) => r.firstMs ?? 0)).toFixed(0)} ms`;
    const status = runs[0]?.status ? `  (HTTP ${runs[0].status})` : "";
    const onCall = lambda.routes ? kb(await mostOnACall(lambda, bundle)) : "—";
    console.log(
      `${lambda.name.padEnd(24)} ${kb(bundle.loadedBytes).padStart(8)} ${kb(bundle.diskBytes).padStart(9)} ${onCall.padStart(10)} ${`${importMs.toFixed(0)} ms`.padStart(9)} ${first.padStart(12)}${status}`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
