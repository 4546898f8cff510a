/**
 * The deployed bundles, run in fresh Node processes, behave like the app in process.
 *
 * Validation: they are built with
 * infra/esbuild-plugins.mjs, which keeps only zod's English locale: every validation message must
 * stay the same. Requests are derived from the route table (each body field given the wrong kind
 * of value, each path parameter a non-id), sent to the bundled Lambda handler in a fresh Node
 * process and to the in-process app; the 422 answers must match byte for byte.
 */
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { resetConfig } from "../core/config.ts";
import { buildApp } from "../functions/api/app.ts";
import { routeModules } from "../functions/api/manifest.ts";
import type { ApiRoute } from "../functions/api/types.ts";
import { bundleHandler, bundleSource } from "../scripts/bundle.ts";
import { memoryDatabase, readReply } from "./support/app.ts";

const run = promisify(execFile);

interface Probe {
  method: string;
  path: string;
  body?: string;
}

/** Wrong values of every kind: each body field gets each in turn, all at once. */
const WRONG_VALUES: unknown[] = [12345, "x", "", ["x"], -1, 1.5, "not a url", { a: 1 }, null];
const WRONG_IDS = ["abc", "0", "1.5", "-3"];

function probesOf(route: ApiRoute): Probe[] {
  const method = route.route.method.toUpperCase();
  const paths = route.route.path.includes("{")
    ? WRONG_IDS.map((id) => route.route.path.replace(/\{[^}]+\}/g, id))
    : [route.route.path];
  const media = route.route.request?.body?.content?.["application/json"];
  const schema = (media && "schema" in media ? media.schema : undefined) as z.ZodObject | undefined;
  if (!schema) return paths.map((path) => ({ method, path }));
  const fields = Object.keys(schema.shape ?? {});
  const bodies = [
    {},
    ...WRONG_VALUES.map((value) => Object.fromEntries(fields.map((f) => [f, value]))),
  ];
  // A valid id with bad bodies, so the body's own messages are reached too.
  const withId = route.route.path.replace(/\{[^}]+\}/g, "1");
  return [
    ...paths.map((path) => ({ method, path, body: "{}" })),
    ...bodies.map((body) => ({ method, path: withId, body: JSON.stringify(body) })),
  ];
}

function lambdaEvent({ method, path, body }: Probe) {
  return {
    version: "2.0",
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: "",
    headers: {
      host: "test.local",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    requestContext: {
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "test" },
      requestId: "bundled-validation",
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  };
}

/** Runs `script` (given `m`, the bundle's entry module) in a fresh Node process; its JSON output. */
async function runBundled(file: string, script: string, env: Record<string, string> = {}) {
  const runner = join(dirname(file), "run-test.mjs");
  await writeFile(
    runner,
    `const m = await import(${JSON.stringify(file)});\n${script}\nconsole.log(JSON.stringify(result));`,
  );
  const { stdout } = await run(process.execPath, [runner], {
    env: {
      PATH: process.env.PATH,
      LOG_LEVEL: "silent",
      DATA_DIR: await mkdtemp(join(tmpdir(), "bundled-test-")),
      ...env,
    },
  });
  return JSON.parse(stdout.trim().split("\n").pop() ?? "null");
}

/** Calls the bundled handler with each probe in one fresh Node process. */
async function bundledAnswers(entry: string, probes: Probe[]) {
  const bundle = await bundleHandler(entry);
  return (await runBundled(
    bundle.file,
    `const result = [];
for (const event of ${JSON.stringify(probes.map(lambdaEvent))}) {
  const r = await m.handler(event, { awsRequestId: "bundled-test" });
  result.push({ status: r.statusCode, body: r.body });
}`,
  )) as { status: number; body: string }[];
}

describe("bundled Lambdas: validation", () => {
  const comparedBy = new Map<string, number>();

  it.each(Object.keys(routeModules))(
    "functions/api/%s.ts answers every validation error with the in-process body",
    async (name) => {
      const { routes } = routeModules[name as keyof typeof routeModules];
      const probes = routes.flatMap(probesOf);
      resetConfig();
      // Probes that pass validation reach their handler: give it a database of its own.
      await memoryDatabase();
      const app = buildApp(routes);
      const expected = await Promise.all(
        probes.map(async ({ method, path, body }) =>
          readReply(
            await app.request(path, {
              method,
              ...(body === undefined
                ? {}
                : { body, headers: { "content-type": "application/json" } }),
            }),
          ),
        ),
      );
      const answers = await bundledAnswers(`functions/api/${name}.ts`, probes);
      let compared = 0;
      for (const [i, probe] of probes.entries()) {
        const mine = expected[i];
        if (mine?.status !== 422 || mine.body?.code !== "validation_failed") continue;
        compared++;
        expect(
          { status: answers[i]?.status, body: JSON.parse(answers[i]?.body ?? "null") },
          `${probe.method} ${probe.path} ${probe.body ?? ""}`,
        ).toEqual({ status: 422, body: mine.body });
      }
      comparedBy.set(name, compared);
    },
    60_000,
  );

  // Runs after the per-module tests (a file's tests run in order): the comparison is not empty.
  it("compared a real number of validation errors", () => {
    const total = [...comparedBy.values()].reduce((a, b) => a + b, 0);
    console.log(Object.fromEntries(comparedBy));
    expect(total).toBeGreaterThan(100);
    for (const name of ["prompts", "projects", "assets"])
      expect(comparedBy.get(name)).toBeGreaterThan(0);
  });
});

describe("bundled Lambdas: providers", () => {
  const factories = `export { textProvider } from "./core/providers/text/index.ts";
export { imageProvider } from "./core/providers/image/index.ts";
export { videoProvider } from "./core/providers/video/index.ts";
export { storageProvider } from "./core/storage/index.ts";`;
  const create = `const result = {};
for (const kind of ["text", "image", "video", "storage"]) {
  const provider = await m[kind + "Provider"]();
  result[kind] = provider.name + (provider.offline ? " (offline)" : "");
}`;

  it("loads each kind's adapter chunk on first use, offline and live", async () => {
    const bundle = await bundleSource(factories);
    expect(await runBundled(bundle.file, create)).toEqual({
      text: "offline (offline)",
      image: "offline (offline)",
      video: "offline (offline)",
      storage: "local",
    });
    // With keys: the live adapters' chunks, SDKs included, load and construct without a request
    // (and without what infra leaves out of the bundle).
    const live = await runBundled(bundle.file, create, {
      OPENROUTER_API_KEY: "test-key",
      GOOGLE_API_KEY: "test-key",
      QINIU_ACCESS_KEY: "test-key",
      QINIU_SECRET_KEY: "test-secret",
      QINIU_BUCKET_NAME: "bucket",
      QINIU_DOMAIN: "cdn.example.com",
    });
    expect(live).toEqual({
      text: expect.not.stringContaining("offline"),
      image: expect.not.stringContaining("offline"),
      video: expect.not.stringContaining("offline"),
      storage: "qiniu",
    });
  }, 60_000);
});
