import { settings } from "./settings.ts";

/**
 * Never loaded by deployed functions, so left out of every bundle:
 * - PGlite and node-postgres: Lambdas use Neon's HTTP driver.
 * - urllib's (under qiniu's SDK) proxy support, and its iconv-lite (~480 KB), which it requires
 *   only to decode a response whose charset Node does not know, in a try/catch that keeps the raw
 *   body when it is missing; Qiniu answers UTF-8 JSON.
 * - web-streams-polyfill (~70 KB, under @google/genai's auth and fetch), required only where
 *   Node has no global ReadableStream (before Node 16.5).
 * - espeak-ng (offline speech, GPL-3.0, an 18 MB WASM file beside it): local runs only; deployed
 *   functions speak with Gemini TTS.
 */
export const LAMBDA_EXTERNALS = [
  "@electric-sql/pglite",
  "pg",
  // The drizzle drivers for them too: bundled, their static `import "pg"` would be hoisted to the
  // top of the bundle and fail at cold start; external, they stay lazy dynamic imports.
  "drizzle-orm/pglite",
  "drizzle-orm/pglite/migrator",
  "drizzle-orm/node-postgres",
  "drizzle-orm/node-postgres/migrator",
  "proxy-agent",
  "iconv-lite",
  "web-streams-polyfill",
  "espeak-ng",
];

/**
 * How every Lambda is bundled. scripts/bundle.ts builds with exactly these options (plus SST's
 * fixed ones), so the tests and `npm run bench` measure what is deployed.
 * - `splitting`: a dynamic `import()` becomes its own chunk, read from disk only when a request
 *   reaches it, so provider SDKs, the database driver and heavy core modules stay off the cold
 *   start of routes that do not use them (README, "Bundles and cold starts").
 * - `plugins`: infra/esbuild-plugins.mjs (zod without its non-English locales).
 * - `minify` and `format` are SST's documented defaults, set here so nothing depends on them.
 */
export const lambdaBuild = {
  format: "esm" as const,
  minify: true,
  splitting: true,
  plugins: "infra/esbuild-plugins.mjs",
  esbuild: { external: LAMBDA_EXTERNALS },
};

/** What every function shares; each adds its handler, links, timeout and size. */
export const functionDefaults = {
  runtime: "nodejs24.x" as const,
  environment: settings,
  nodejs: lambdaBuild,
};
