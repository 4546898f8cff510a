import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import {
  MAX_RECEIVES,
  SWEEP_BUDGET_SECONDS,
  SWEEPER_TIMEOUT_SECONDS,
} from "../core/jobs/limits.ts";
import { routeManifest } from "../functions/api/manifest.ts";
import { bundleHandler } from "../scripts/bundle.ts";

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
});

/** What the plain CRUD Lambdas must never carry: AI SDKs, storage SDK, ffmpeg, the job queue. */
const HEAVY = [
  /@google\/genai/,
  /node_modules\/openai\//,
  /node_modules\/qiniu\//,
  /ffmpeg-installer/,
  /core\/media\//,
  /client-sqs/,
];
const CRUD_GROUPS = ["prompts", "projects", "assets", "uploads", "system"];

describe("Lambda bundles", () => {
  it.each(CRUD_GROUPS)(
    "keeps the %s handler free of AI SDKs and ffmpeg, and small",
    async (group) => {
      const bundle = await bundleHandler(`functions/api/${group}.ts`);
      const heavy = bundle.inputs.filter((input) => HEAVY.some((pattern) => pattern.test(input)));
      expect(heavy).toEqual([]);
      expect(bundle.bytes).toBeLessThan(1_500_000);
    },
  );

  it("bundles the generation and worker handlers with what they need", async () => {
    const frames = await bundleHandler("functions/api/storyboards.ts");
    expect(frames.inputs.some((i) => i.includes("@google/genai"))).toBe(true);
    const worker = await bundleHandler("functions/worker.ts");
    expect(worker.inputs.some((i) => i.includes("core/media/compose.ts"))).toBe(true);
    // The dead-letter subscriber only writes the job table.
    const deadLetter = await bundleHandler("functions/dead-letter.ts");
    expect(deadLetter.inputs.filter((input) => HEAVY.some((p) => p.test(input)))).toEqual([]);
    for (const bundle of [
      frames,
      worker,
      deadLetter,
      await bundleHandler("functions/migrate.ts"),
    ]) {
      expect(bundle.staticExternals).toEqual([]);
    }
  });
});
