/**
 * esbuild plugins for every Lambda: SST loads this file through `nodejs.plugins`
 * (infra/defaults.ts) and scripts/bundle.ts loads it for the tests and the bench, so both bundle
 * alike. Plain JavaScript because SST imports it with Node; SST's plugin bridge offers only
 * `onResolve`, `onLoad` and `onEnd` (no `build.resolve`, no `initialOptions`).
 */
import { dirname } from "node:path";

/**
 * zod's classic build re-exports all of its ~50 locales (`z.locales`, ~250 KB minified), and
 * esbuild keeps a namespace re-export whole. We never switch locale: zod registers English itself
 * on first use, so the index keeps English only and every message stays the same.
 */
export const zodEnglishOnly = {
  name: "zod-english-only",
  setup(build) {
    build.onLoad(
      { filter: /[\\/]node_modules[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ },
      (args) => ({
        contents: 'export { default as en } from "./en.js";\n',
        loader: "js",
        resolveDir: dirname(args.path),
      }),
    );
  },
};

export default [zodEnglishOnly];
