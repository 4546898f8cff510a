import { dirname, join, normalize } from "node:path";
import type { Metafile } from "esbuild";
import type { ApiRoute } from "../functions/api/types.ts";
import { type Bundle, bundleSource, inputsOf, reachableOutputs } from "./bundle.ts";

/**
 * Each provider kind: the module that creates it (core code reaches a provider only through it)
 * and the SDK packages its adapters load. No other package counts as an SDK.
 */
export const PROVIDER_KINDS = {
  text: { factory: "core/providers/text/index.ts", sdks: ["openai"] },
  image: {
    factory: "core/providers/image/index.ts",
    sdks: ["@google/genai", "google-auth-library"],
  },
  video: {
    factory: "core/providers/video/index.ts",
    sdks: ["@google/genai", "google-auth-library"],
  },
  storage: { factory: "core/storage/index.ts", sdks: ["qiniu", "urllib"] },
  // Offline speech's espeak-ng is never bundled (infra/defaults.ts), so it is no SDK here.
  speech: {
    factory: "core/providers/speech/index.ts",
    sdks: ["@google/genai", "google-auth-library"],
  },
} as const;

export type Kind = keyof typeof PROVIDER_KINDS;

const KINDS = Object.keys(PROVIDER_KINDS) as Kind[];
export const SDKS: string[] = [...new Set(KINDS.flatMap((k) => PROVIDER_KINDS[k].sdks))];

/** The npm package a bundled source file belongs to (the innermost node_modules), if any. */
export const packageOf = (input: string) =>
  input.match(/.*node_modules\/((?:@[^/]+\/)?[^/]+)\//)?.[1];

/** SDK packages with code in the given source files. */
export const sdksIn = (inputs: Iterable<string>) =>
  [...new Set([...inputs].map(packageOf))].filter((p): p is string => !!p && SDKS.includes(p));

/** Provider kinds whose factory has code in the given source files (tree-shaken: not called). */
export const kindsIn = (inputs: Iterable<string>) => {
  const set = new Set(inputs);
  return KINDS.filter((kind) => set.has(PROVIDER_KINDS[kind].factory));
};

/** A module a route imports when it runs, and the exports it takes (none known: all). */
interface LazyImport {
  file: string;
  names?: string[];
}

const IMPORT_CALL = /(?:\bimport|__vite_ssr_dynamic_import__)\(\s*["'`]([^"'`]+)["'`]\s*\)/g;
const DESTRUCTURED = /\{([^{}]*)\}\s*=\s*await\s*$/;

/**
 * The `import("…")` calls in a handler's own source, with the names it destructures from each.
 * Under Vitest they read `__vite_ssr_dynamic_import__("/core/…")`, from the repo root.
 */
export function handlerImports(route: ApiRoute, moduleFile: string): LazyImport[] {
  const source = String(route.handler);
  return [...source.matchAll(IMPORT_CALL)].map((match) => {
    const specifier = match[1] as string;
    const file = normalize(
      specifier.startsWith("/") ? specifier.slice(1) : join(dirname(moduleFile), specifier),
    );
    const names = source
      .slice(0, match.index)
      .match(DESTRUCTURED)?.[1]
      ?.split(",")
      .map((part) => part.split(":")[0]?.trim() ?? "")
      .filter(Boolean);
    return names?.length && !names.some((n) => n.startsWith("...")) ? { file, names } : { file };
  });
}

/** Source files a module loads with itself: its static imports, transitively. */
function staticInputs(metafile: Metafile, from: string): Set<string> {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const file = stack.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const imported of metafile.inputs[file]?.imports ?? []) {
      if (!imported.external && imported.kind !== "dynamic-import") stack.push(imported.path);
    }
  }
  return seen;
}

/**
 * What one route may load beyond its Lambda's cold start: the modules its handler imports (only
 * the exports it takes), and whatever the code loaded at import can `import()` on any request
 * (helpers' lazy imports, the route module's own outside its handlers). Returned as a probe
 * module to bundle with the Lambda's options: tree shaking then keeps only what those exports
 * run, so a module that holds a text route and a CRUD helper does not count as text for the
 * helper's callers.
 */
export function routeProbe(
  bundle: Bundle,
  moduleFile: string,
  routes: readonly ApiRoute[],
  route: ApiRoute,
) {
  const { metafile } = bundle;
  const own = handlerImports(route, moduleFile);
  const handlers = new Set(routes.flatMap((r) => handlerImports(r, moduleFile).map((i) => i.file)));
  const anyRoute = new Set<string>();
  for (const file of staticInputs(metafile, moduleFile)) {
    for (const imported of metafile.inputs[file]?.imports ?? []) {
      if (imported.external || imported.kind !== "dynamic-import") continue;
      // The route module's own import() calls belong to its handlers, unless none of them has it.
      if (file === moduleFile && handlers.has(imported.path)) continue;
      anyRoute.add(imported.path);
    }
  }
  const lines = [
    ...own.map(({ file, names }, i) =>
      names
        ? `export { ${names.map((n) => `${n} as r${i}_${n}`).join(", ")} } from "./${file}";`
        : `export * as r${i} from "./${file}";`,
    ),
    ...[...anyRoute].map((file, i) => `export * as a${i} from "./${file}";`),
  ];
  return {
    source: lines.join("\n"),
    unresolved: own.map((i) => i.file).filter((file) => !metafile.inputs[file]),
  };
}

export interface RouteLoads {
  /** Provider kinds the route can call (none: a CRUD route). */
  kinds: Kind[];
  /** SDK packages the route can load, at import or on a call. */
  sdks: string[];
  /** At most what one request reads: the cold start plus what its calls can add. */
  bytes: number;
  /** Handler imports that are not in the Lambda's bundle (a misread handler). */
  unresolved: string[];
}

/**
 * What one route (of `routes`, its module's table) can load: from its Lambda's bundle and the
 * bundled probe of its calls.
 */
export async function routeLoads(
  bundle: Bundle,
  moduleFile: string,
  routes: readonly ApiRoute[],
  route: ApiRoute,
): Promise<RouteLoads> {
  const probe = routeProbe(bundle, moduleFile, routes, route);
  let called: string[] = [];
  let added = 0;
  if (probe.source) {
    const calls = await bundleSource(probe.source);
    const { metafile } = calls;
    const outputs = reachableOutputs(
      metafile,
      [calls.output],
      ["import-statement", "dynamic-import"],
    );
    called = inputsOf(metafile, outputs);
    const atImport = new Set(bundle.loadedInputs);
    for (const name of outputs) {
      for (const [input, { bytesInOutput }] of Object.entries(
        metafile.outputs[name]?.inputs ?? {},
      )) {
        if (!atImport.has(input)) added += bytesInOutput;
      }
    }
  }
  return {
    kinds: kindsIn([...bundle.loadedInputs, ...called]),
    sdks: sdksIn([...bundle.loadedInputs, ...called]).sort(),
    bytes: bundle.loadedBytes + added,
    unresolved: probe.unresolved,
  };
}
