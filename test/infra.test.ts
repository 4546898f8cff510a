import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import {
  MAX_RECEIVES,
  SWEEP_BUDGET_SECONDS,
  SWEEPER_TIMEOUT_SECONDS,
} from "../core/jobs/limits.ts";
import { routeManifest, routeModules } from "../functions/api/manifest.ts";
import { API_PREFIX } from "../functions/api/types.ts";
import { consoleDist } from "../functions/local/console.ts";
import { LAMBDA_EXTERNALS, lambdaBuild } from "../infra/defaults.ts";
import { bundleHandler } from "../scripts/bundle.ts";
import { kindsIn, PROVIDER_KINDS, routeLoads, sdksIn } from "../scripts/route-loads.ts";

const declared = JSON.parse(readFileSync("infra/routes.json", "utf8")) as typeof routeManifest;

/** Handler modules of the functions infra declares besides the API routes. */
const OTHER_HANDLERS = [
  "functions/worker.handler",
  "functions/sweeper.handler",
  "functions/dead-letter.handler",
  "functions/migrate.handler",
];

describe("infrastructure parity", () => {
  it("declares exactly the app's routes (run `npm run routes` after changing the route table)", () => {
    expect(declared).toEqual(routeManifest);
    const keys = declared.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("points every route and function at an exported handler", async () => {
    for (const handler of [...new Set(declared.map((r) => r.handler)), ...OTHER_HANDLERS]) {
      const [file, name] = handler.split(".");
      const module = await import(/* @vite-ignore */ pathToFileURL(`${file}.ts`).href);
      expect(typeof module[name ?? ""], handler).toBe("function");
    }
  });

  it("links the worker through a queue whose visibility timeout covers the worker's timeout", () => {
    const jobs = readFileSync("infra/jobs.ts", "utf8");
    const worker = readFileSync("infra/worker.ts", "utf8");
    expect(jobs).toContain("visibilityTimeout: `${WORKER_TIMEOUT_MINUTES + 1} minutes`");
    expect(worker).toContain("timeout: `${WORKER_TIMEOUT_MINUTES} minutes`");
    expect(worker).toContain("partialResponses: true");
  });

  it("gives the sweeper a status index and a timeout that fits a bounded run", () => {
    const jobs = readFileSync("infra/jobs.ts", "utf8");
    const worker = readFileSync("infra/worker.ts", "utf8");
    expect(jobs).toMatch(/\[STATUS_INDEX\]: \{\s*hashKey: "status",\s*rangeKey: "updated_at"/);
    expect(worker).toContain('schedule: "rate(5 minutes)"');
    expect(worker).toContain("timeout: `${SWEEPER_TIMEOUT_SECONDS} seconds`");
    // Room for the requests in flight when the budget runs out; never overlapping the next run.
    expect(SWEEPER_TIMEOUT_SECONDS - SWEEP_BUDGET_SECONDS).toBeGreaterThanOrEqual(15);
    expect(SWEEPER_TIMEOUT_SECONDS).toBeLessThan(5 * 60);
  });

  it("dead-letters after MAX_RECEIVES deliveries, fails those jobs, and alarms to an SNS topic", () => {
    const jobs = readFileSync("infra/jobs.ts", "utf8");
    const worker = readFileSync("infra/worker.ts", "utf8");
    const alarms = readFileSync("infra/alarms.ts", "utf8");
    expect(MAX_RECEIVES).toBe(5);
    expect(jobs).toContain("dlq: { queue: deadLetters.arn, retry: MAX_RECEIVES }");
    expect(worker).toMatch(/deadLetters\.subscribe\([\s\S]*"functions\/dead-letter\.handler"/);
    expect(readFileSync("sst.config.ts", "utf8")).toContain('await import("./infra/alarms")');
    expect(alarms).toContain('new sst.aws.SnsTopic("Alerts")');
    for (const metric of [
      "ApproximateNumberOfMessagesVisible",
      "NumberOfMessagesReceived",
      "Errors",
    ]) {
      expect(alarms).toContain(`metricName: "${metric}"`);
    }
    expect(alarms).toMatch(/Worker:[\s\S]*DeadLetterWorker:[\s\S]*Sweeper:/);
    expect(alarms).toContain("alarmActions: [alerts.arn]");
  });

  it("takes only plain constants from core/ (their modules import nothing)", () => {
    const infra = [
      "sst.config.ts",
      ...[
        "api",
        "defaults",
        "jobs",
        "worker",
        "migrations",
        "alarms",
        "secrets",
        "settings",
        "ffmpeg",
        "console",
      ].map((n) => `infra/${n}.ts`),
    ];
    const fromCore = infra.flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/from "\.\.\/(core\/[^"]+)"/g)].map(
        (m) => m[1] as string,
      ),
    );
    expect(fromCore.length).toBeGreaterThan(0);
    for (const module of new Set(fromCore)) {
      const source = readFileSync(`${module.replace(/\.ts$/, "")}.ts`, "utf8");
      // The infra typecheck compiles whatever these reach: an import would pull the app into it.
      expect(source.match(/^import .*$/gm) ?? [], module).toEqual([]);
    }
  });
});

describe("web console deploy", () => {
  const site = readFileSync("infra/console.ts", "utf8");

  it("uploads the console's build output, the folder the local server serves", () => {
    expect(site).toContain('new sst.aws.StaticSite("Console"');
    expect(site).toContain('path: "console"');
    expect(site).toContain('build: { command: "npm run build", output: "dist" }');
    const consolePackage = JSON.parse(readFileSync("console/package.json", "utf8"));
    expect(consolePackage.scripts.build).toBe("vite build");
    expect(readFileSync("console/vite.config.ts", "utf8")).toContain('outDir: "dist"');
    expect(consoleDist.replaceAll("\\", "/")).toMatch(/\/console\/dist$/);
    // SST's generated Vite env types stay out of the console's sources.
    expect(site).not.toMatch(/types: "src\//);
  });

  it("puts the console and every API route on one router origin, keys forwarded", () => {
    const prefixes = JSON.parse(
      (site.match(/API_PATHS = (\[[^\]]*\])/)?.[1] ?? "[]").replace(/,\s*\]/, "]"),
    ) as string[];
    // The router's match: the prefix itself or anything below it.
    const under = (path: string, prefix: string) =>
      path === prefix || path.startsWith(`${prefix}/`);
    for (const { method, path } of declared)
      expect(
        prefixes.some((p) => under(path, p)),
        `${method} ${path} reaches the API`,
      ).toBe(true);
    for (const p of prefixes)
      expect(
        declared.some((r) => under(r.path, p)),
        `${p} is an API path`,
      ).toBe(true);
    expect(site).toMatch(/for \(const path of API_PATHS\) web\.route\(path, api\.url,/);
    expect(site).toContain("router: { instance: web }");
    // CloudFront forwards Authorization only as part of the cache key.
    expect(site).toMatch(/items: \[[^\]]*"authorization"/);
    // CloudFront waits longer than the API routes may run.
    const seconds = (source: string, pattern: RegExp) => Number(source.match(pattern)?.[1]);
    const apiTimeout = seconds(readFileSync("infra/api.ts", "utf8"), /timeout: "(\d+) seconds"/);
    expect(seconds(site, /API_READ_TIMEOUT = "(\d+) seconds"/)).toBeGreaterThan(apiTimeout);
    const config = readFileSync("sst.config.ts", "utf8");
    expect(config).toContain('await import("./infra/console")');
    expect(config).toContain("console: consoleSite.url");
  });
});

/** What no Lambda loads at import: SDKs (see PROVIDER_KINDS), ffmpeg, media code, the AWS SDK. */
const NEVER_AT_IMPORT = [/ffmpeg-installer/, /^core\/media\//, /@aws-sdk\//, /@smithy\//];

/**
 * The only places that require a package infra/defaults.ts leaves out, each inside a fallback that
 * never runs on Lambda (read there): urllib decoding an unknown charset, urllib behind a proxy,
 * fetch-blob on a Node without ReadableStream.
 */
const LAZY_REQUIRES: Record<string, string[]> = {
  "iconv-lite": ["node_modules/urllib/lib/urllib.js"],
  "proxy-agent": ["node_modules/urllib/lib/detect_proxy_agent.js"],
  "web-streams-polyfill": ["node_modules/fetch-blob/streams.cjs"],
};

/** Goal of issue 10 for a route that calls no provider: what its cold start reads. */
const CRUD_LIMIT_BYTES = 400 * 1024;

describe("Lambda bundles", () => {
  /**
   * Each route module is one bundle; each route is classified by what its handler can call
   * (scripts/route-loads.ts): CRUD when it reaches no provider factory, else the provider kinds
   * it reaches. Routes regrouped or added are classified the same way.
   */
  it.each(Object.keys(routeModules))(
    "functions/api/%s.ts: nothing heavy at import; CRUD routes under 400 KB; each route can load only the SDKs of the providers it calls",
    async (name) => {
      const file = `functions/api/${name}.ts`;
      const { routes } = routeModules[name as keyof typeof routeModules];
      const bundle = await bundleHandler(file);
      // Provider SDKs and factories load only through a handler's import(), i.e. on a call.
      expect(sdksIn(bundle.loadedInputs)).toEqual([]);
      expect(kindsIn(bundle.loadedInputs)).toEqual([]);
      expect(bundle.loadedInputs.filter((i) => NEVER_AT_IMPORT.some((p) => p.test(i)))).toEqual([]);
      for (const route of routes) {
        const key = `${route.route.method.toUpperCase()} ${route.route.path}`;
        const loads = await routeLoads(bundle, file, routes, route);
        expect(loads.unresolved, key).toEqual([]);
        const allowed = loads.kinds.flatMap(
          (kind) => PROVIDER_KINDS[kind].sdks as readonly string[],
        );
        expect(
          loads.sdks.filter((sdk) => !allowed.includes(sdk)),
          `${key} calls ${loads.kinds.join(", ") || "no provider"}`,
        ).toEqual([]);
        // The probe really reaches the adapters of what it calls (else the check above is empty).
        for (const kind of loads.kinds)
          expect(loads.sdks, key).toContain(PROVIDER_KINDS[kind].sdks[0]);
        if (loads.kinds.length === 0) {
          expect(bundle.loadedBytes, `${key} (CRUD)`).toBeLessThanOrEqual(CRUD_LIMIT_BYTES);
        }
      }
    },
    120_000,
  );

  it("sees the provider calls of the generation routes (the classification is not empty)", async () => {
    const kindsOf = async (method: string, path: string) => {
      for (const [name, { routes }] of Object.entries(routeModules)) {
        const route = routes.find(
          (r) => r.route.method === method && r.route.path === `${API_PREFIX}${path}`,
        );
        if (!route) continue;
        const file = `functions/api/${name}.ts`;
        return (await routeLoads(await bundleHandler(file), file, routes, route)).kinds;
      }
      throw new Error(`no route ${method} ${path}`);
    };
    expect(await kindsOf("post", "/projects/{project_id}/generate-script")).toEqual(["text"]);
    expect(await kindsOf("post", "/storyboards/{storyboard_id}/generate-frame")).toEqual([
      "image",
      "storage",
    ]);
    // Starting a job calls no provider: the worker does.
    expect(await kindsOf("post", "/storyboards/{storyboard_id}/generate-video")).toEqual([]);
  }, 60_000);

  it("bundles the worker with what it needs and nothing heavy in the dead-letter subscriber", async () => {
    const worker = await bundleHandler("functions/worker.ts");
    expect(worker.inputs).toContain("core/media/compose.ts");
    // Jobs draw images and videos and store them; the render's jobs also call the LLM (a prompt
    // refused by a safety filter is rewritten).
    expect(sdksIn(worker.inputs).sort()).toEqual([
      "@google/genai",
      "google-auth-library",
      "openai",
      "qiniu",
      "urllib",
    ]);
    // The dead-letter subscriber only writes the job table.
    const deadLetter = await bundleHandler("functions/dead-letter.ts");
    expect(sdksIn(deadLetter.inputs)).toEqual([]);
    expect(deadLetter.inputs.filter((i) => NEVER_AT_IMPORT.some((p) => p.test(i)))).toEqual([]);
  }, 60_000);

  it("ships every package a Lambda imports when it loads", async () => {
    const entries = [
      ...Object.keys(routeModules).map((name) => `functions/api/${name}.ts`),
      ...OTHER_HANDLERS.map((handler) => `${handler.split(".")[0]}.ts`),
    ];
    for (const entry of entries) {
      const bundle = await bundleHandler(entry);
      expect(bundle.staticExternals, entry).toEqual([]);
      // What infra leaves out is only required on paths that never run on Lambda.
      for (const [input, { imports }] of Object.entries(bundle.metafile.inputs)) {
        for (const imported of imports) {
          const leftOut = LAMBDA_EXTERNALS.find(
            (name) => imported.path === name || imported.path.startsWith(`${name}/`),
          );
          if (!imported.external || !leftOut || imported.kind === "dynamic-import") continue;
          const site = input.slice(input.lastIndexOf("node_modules/"));
          expect(LAZY_REQUIRES[leftOut], `${input} requires ${imported.path}`).toContain(site);
        }
      }
    }
  }, 120_000);

  it("bundles with exactly the options infra deploys with (infra/defaults.ts)", () => {
    for (const file of ["infra/api.ts", "infra/worker.ts", "infra/migrations.ts"]) {
      const source = readFileSync(file, "utf8");
      expect(source, file).toContain("functionDefaults");
      expect(source, file).not.toMatch(/\bnodejs:\s*\{/);
    }
    expect(lambdaBuild.splitting).toBe(true);
    expect(lambdaBuild.plugins).toBe("infra/esbuild-plugins.mjs");
  });
});
