import { mkdtemp } from "node:fs/promises";
import { isBuiltin } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type BuildOptions, build, type Metafile, type Plugin } from "esbuild";
import { lambdaBuild } from "../infra/defaults.ts";

export type LambdaBuild = typeof lambdaBuild;

/**
 * What SST's Node runtime always sets besides the function's `nodejs` options (sst/sst,
 * pkg/runtime/node/build.go): Node platform, esnext, names kept, ESM-first main fields, and this
 * banner on every output file.
 */
const SST_BANNER = [
  `import { createRequire as topLevelCreateRequire } from 'module';`,
  `const require = topLevelCreateRequire(import.meta.url);`,
  `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
  `const __filename = topLevelFileUrlToPath(import.meta.url)`,
  `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
  "",
].join("\n");
const SST_FIXED = {
  bundle: true,
  platform: "node",
  target: "esnext",
  keepNames: true,
  mainFields: ["module", "main"],
  banner: { js: SST_BANNER },
} satisfies BuildOptions;
const SST_EXTERNALS = ["sharp", "pg-native"];

export interface Bundle {
  /** The entry file Lambda imports (absolute). */
  file: string;
  /** The entry file's key in the metafile's outputs. */
  output: string;
  /** Entry plus every chunk it reaches through static imports: what a cold start reads. */
  loadedBytes: number;
  /** Every output file: what is deployed. */
  diskBytes: number;
  /** Source files in the loaded files, relative to the repo. */
  loadedInputs: string[];
  /** Source files anywhere in the bundle, relative to the repo. */
  inputs: string[];
  /** External packages the loaded files import at load time (each must exist where it runs). */
  staticExternals: string[];
  metafile: Metafile;
}

async function loadPlugins(path: string): Promise<Plugin[]> {
  return (await import(pathToFileURL(resolve(path)).href)).default as Plugin[];
}

/**
 * Output files reachable from `from` (metafile output keys) through the given import kinds.
 * Static imports are what loading a file loads too; add "dynamic-import" for what it may load.
 */
export function reachableOutputs(
  metafile: Metafile,
  from: string[],
  kinds: readonly string[] = ["import-statement"],
): Set<string> {
  const seen = new Set<string>();
  const stack = [...from];
  while (stack.length) {
    const name = stack.pop() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    for (const imported of metafile.outputs[name]?.imports ?? []) {
      if (!imported.external && kinds.includes(imported.kind)) stack.push(imported.path);
    }
  }
  return seen;
}

/** Source files with code in the given output files (tree-shaken ones have none). */
export function inputsOf(metafile: Metafile, outputs: Iterable<string>): string[] {
  return [...outputs].flatMap((name) =>
    Object.entries(metafile.outputs[name]?.inputs ?? {})
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([input]) => input),
  );
}

type EntryPoint = { entry: string } | { source: string };

async function bundle(input: EntryPoint, overrides: Partial<LambdaBuild>): Promise<Bundle> {
  const options = { ...lambdaBuild, ...overrides };
  const outdir = await mkdtemp(join(tmpdir(), "bundle-"));
  const result = await build({
    ...SST_FIXED,
    ...("entry" in input
      ? { entryPoints: [input.entry] }
      : { stdin: { contents: input.source, resolveDir: process.cwd(), loader: "ts" as const } }),
    format: options.format,
    minify: options.minify,
    splitting: options.splitting,
    external: [...SST_EXTERNALS, ...options.esbuild.external],
    plugins: options.plugins ? await loadPlugins(options.plugins) : [],
    outdir,
    outExtension: { ".js": ".mjs" },
    metafile: true,
    logLevel: "silent",
  });
  const metafile = result.metafile as Metafile;
  const names = Object.keys(metafile.outputs);
  const entryPoint = "entry" in input ? input.entry : "<stdin>";
  const output = names.find((name) => metafile.outputs[name]?.entryPoint === entryPoint);
  if (!output) throw new Error(`no output for ${entryPoint}`);
  const loaded = reachableOutputs(metafile, [output]);
  const bytes = (list: Iterable<string>) =>
    [...list].reduce((sum, name) => sum + (metafile.outputs[name]?.bytes ?? 0), 0);
  const staticExternals = [...loaded].flatMap((name) =>
    (metafile.outputs[name]?.imports ?? [])
      .filter((i) => i.external && i.kind === "import-statement" && !isBuiltin(i.path))
      .map((i) => i.path),
  );
  return {
    file: resolve(output),
    output,
    loadedBytes: bytes(loaded),
    diskBytes: bytes(names),
    loadedInputs: [...new Set(inputsOf(metafile, loaded))],
    inputs: [...new Set(inputsOf(metafile, names))],
    staticExternals: [...new Set(staticExternals)],
    metafile,
  };
}

/**
 * Bundles a handler module as SST deploys it: infra/defaults.ts's `lambdaBuild` (`overrides`
 * replaces some of it, for measuring alternatives) on top of SST's fixed settings.
 */
export const bundleHandler = (entry: string, overrides: Partial<LambdaBuild> = {}) =>
  bundle({ entry }, overrides);

/** The same, for a module given as source (resolved from the repo root), e.g. a probe. */
export const bundleSource = (source: string, overrides: Partial<LambdaBuild> = {}) =>
  bundle({ source }, overrides);
