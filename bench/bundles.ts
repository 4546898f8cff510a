/**
 * Each Lambda bundled as SST would (ESM, minified, Node 24), then cold-started in a fresh Node
 * process: import time and the first request. Requests are chosen to need no database or provider.
 */
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { routeManifest } from "../functions/api/manifest.ts";
import { bundleHandler } from "../scripts/bundle.ts";

const run = promisify(execFile);

function probeRequest(group: string) {
  const routes = routeManifest.filter((r) => r.handler === `functions/api/${group}.handler`);
  // A path parameter that fails validation: the whole stack runs up to the handler, no I/O.
  const withParam =
    routes.find((r) => r.path.includes("_id}")) ?? routes.find((r) => r.path.includes("{"));
  const route = withParam ?? routes[0];
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

async function coldStart(file: string, event: unknown) {
  const runner = join(dirname(file), "run.mjs");
  await writeFile(
    runner,
    `const t0 = performance.now();
const m = await import("./index.mjs");
const t1 = performance.now();
const r = await m.handler(${JSON.stringify(event)}, { awsRequestId: "bench" });
const t2 = performance.now();
console.log(JSON.stringify({ importMs: t1 - t0, firstMs: t2 - t1, status: r?.statusCode }));`,
  );
  const dataDir = await mkdtemp(join(tmpdir(), "bench-data-"));
  const { stdout } = await run(process.execPath, [runner], {
    env: { PATH: process.env.PATH, LOG_LEVEL: "silent", DATA_DIR: dataDir },
  });
  return JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as {
    importMs: number;
    firstMs: number;
    status: number;
  };
}

async function main() {
  const groups = [
    ...new Set(routeManifest.map((r) => r.handler.split("/").pop()?.replace(".handler", "") ?? "")),
  ];
  console.log("Lambda bundle                 size      import   1st request");
  for (const group of groups) {
    const bundle = await bundleHandler(`functions/api/${group}.ts`);
    const cold = await coldStart(bundle.file, probeRequest(group));
    console.log(
      `${`api/${group}`.padEnd(26)} ${`${(bundle.bytes / 1024).toFixed(0)} KB`.padStart(8)} ${cold.importMs.toFixed(0).padStart(7)} ms ${cold.firstMs.toFixed(0).padStart(7)} ms  (HTTP ${cold.status})`,
    );
  }
  for (const entry of ["functions/worker.ts", "functions/migrate.ts", "functions/sweeper.ts"]) {
    const bundle = await bundleHandler(entry);
    console.log(
      `${entry.replace("functions/", "").padEnd(26)} ${`${(bundle.bytes / 1024).toFixed(0)} KB`.padStart(8)}`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
