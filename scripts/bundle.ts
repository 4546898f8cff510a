import { mkdtemp } from "node:fs/promises";
import { isBuiltin } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { LAMBDA_EXTERNALS } from "./bundle-externals.ts";

export { LAMBDA_EXTERNALS };

export interface Bundle {
  file: string;
  bytes: number;
  /** Source files that ended up in the bundle, relative to the repo. */
  inputs: string[];
  /** External packages the bundle imports at load time (each must exist where it runs). */
  staticExternals: string[];
}

const staticImportsOf = (imports: { path: string; kind: string; external?: boolean }[]) =>
  imports
    .filter((i) => i.external && i.kind === "import-statement" && !isBuiltin(i.path))
    .map((i) => i.path);

/** Bundles a handler module the way SST does for Lambda: ESM, minified, Node 24, one file. */
export async function bundleHandler(entry: string): Promise<Bundle> {
  const dir = await mkdtemp(join(tmpdir(), "bundle-"));
  const file = join(dir, "index.mjs");
  const result = await build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    minify: true,
    format: "esm",
    platform: "node",
    target: "node24",
    external: LAMBDA_EXTERNALS,
    metafile: true,
    logLevel: "silent",
    // ESM bundles of CommonJS dependencies need a require; SST injects the same banner.
    banner: {
      js: 'import { createRequire as topLevelCreateRequire } from "module"; const require = topLevelCreateRequire(import.meta.url);',
    },
  });
  const output = Object.values(result.metafile.outputs)[0];
  return {
    file,
    bytes: output?.bytes ?? 0,
    inputs: Object.keys(result.metafile.inputs),
    staticExternals: staticImportsOf(output?.imports ?? []),
  };
}
