import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { resources } from "./routes.ts";
import { API_PREFIX } from "./types.ts";

/**
 * The module a URL belongs in: the resource it names first, so `/projects/{id}/compose-video` is a
 * project's route, except the routes that make a project's assets, which belong to assets.
 */
function resourceOf(path: string): string {
  if (/^\/api\/v1\/projects\/\{project_id\}\/(assets|generate-asset-images)$/.test(path)) {
    return "assets";
  }
  const first = path.replace(API_PREFIX, "").split("/")[1] ?? "";
  return { health: "system", qiniu: "uploads" }[first] ?? first;
}

/** Routes that call a model or start a job: `…/generate-*`, `…/compose-*`, guide, regenerate. */
const GENERATES = /\/(generate|compose)-[a-z-]+$|\/(guide-frame|regenerate)$/;

describe("route table", () => {
  it("serves every URL from the module of its resource", () => {
    for (const [file, module] of Object.entries(resources)) {
      for (const { route } of module.routes) {
        const resource = resourceOf(route.path);
        expect([resource, `${resource}-generate`], `${route.path} in ${file}.ts`).toContain(file);
        if (GENERATES.test(route.path)) {
          expect(file, route.path).toBe(`${resource}-generate`);
        }
      }
    }
  });
});

/** What a route module may load only when a handler that needs it runs. */
const LAZY = [
  /^openai$/,
  /^@google\/genai$/,
  /^qiniu$/,
  /^@ffmpeg-installer\//,
  /^@ffprobe-installer\//,
  /^@aws-sdk\/client-sqs$/,
  /^core\/providers\/index\.ts$/,
  /^core\/media\//,
];

/**
 * Our source files and the packages a module loads when it is imported: esbuild's metafile,
 * following static imports only (a handler's `await import()` loads when the handler runs).
 */
async function loadedAtImport(entry: string): Promise<string[]> {
  const { metafile } = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    outdir: "out",
    format: "esm",
    platform: "node",
    packages: "external",
    metafile: true,
    logLevel: "silent",
  });
  const loaded = new Set([entry]);
  const queue = [entry];
  for (let file = queue.shift(); file; file = queue.shift()) {
    for (const i of metafile.inputs[file]?.imports ?? []) {
      if (i.kind !== "import-statement" || loaded.has(i.path)) continue;
      loaded.add(i.path);
      if (!i.external) queue.push(i.path);
    }
  }
  return [...loaded];
}

describe("route modules", () => {
  it.each(Object.keys(resources))(
    "%s.ts loads no model SDK, storage SDK, ffmpeg or job queue until a handler needs it",
    async (file) => {
      const loaded = await loadedAtImport(`functions/api/${file}.ts`);
      expect(loaded.filter((f) => LAZY.some((pattern) => pattern.test(f)))).toEqual([]);
    },
  );
});
