import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { createRoute } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import { defineRoute, lambdaHandler } from "./app.ts";

/**
 * The document covers the whole route table: built on the first request for it, so the reference
 * page's Lambda never loads the table.
 */
let documentCache: Promise<unknown> | undefined;
const openApiDocument = () => {
  documentCache ??= import("./openapi.ts").then((m) => m.openApiDocument());
  return documentCache;
};

/** Where the page loads Scalar's UI from: this module, never a public CDN. */
export const SCALAR_SCRIPT_PATH = "/docs/scalar.js";

/** Where the deployed Lambda finds Scalar's bundle: infra/api.ts copies it there (copyFiles). */
export const SCALAR_BUNDLE_FILE = "scalar/standalone.js";

/** Scalar's browser bundle (about 4.3 MB): beside the Lambda's code, else in node_modules. */
function scalarBundlePath(): string {
  const root = process.env.LAMBDA_TASK_ROOT;
  if (root) return join(root, SCALAR_BUNDLE_FILE);
  // The package exports no subpath for its browser build: it lies beside the main entry.
  const main = createRequire(import.meta.url).resolve("@scalar/api-reference");
  return join(dirname(main), "browser", "standalone.js");
}

/**
 * Read, hashed and gzipped once per process (~1.2 MB gzipped, under Lambda's 6 MB answer); each
 * answer sends these buffers as they are, never a copy.
 */
let bundleCache:
  | Promise<{ raw: Uint8Array<ArrayBuffer>; gzip: Uint8Array<ArrayBuffer>; etag: string }>
  | undefined;
const scalarBundle = () => {
  bundleCache ??= readFile(scalarBundlePath()).then((raw) => ({
    raw,
    gzip: gzipSync(raw),
    etag: `"${createHash("sha256").update(raw).digest("base64url").slice(0, 27)}"`,
  }));
  return bundleCache;
};

/** API reference: the only Lambda that bundles the whole route table. */
export const routes = [
  defineRoute(
    createRoute({
      method: "get",
      path: "/openapi.json",
      hide: true,
      responses: { 200: { description: "OpenAPI 3.1 document" } },
    }),
    async (c) => c.json(await openApiDocument()),
  ),
  defineRoute(
    createRoute({
      method: "get",
      path: "/docs",
      hide: true,
      responses: { 200: { description: "API reference (HTML)" } },
    }),
    async (c, next) =>
      (await Scalar({
        url: "/openapi.json",
        pageTitle: "Storyboard Studio API",
        cdn: SCALAR_SCRIPT_PATH,
        // The default fonts come from Scalar's font host; the page uses the system's instead.
        withDefaultFonts: false,
      })(c, next)) ?? c.res,
  ),
  defineRoute(
    createRoute({
      method: "get",
      path: SCALAR_SCRIPT_PATH,
      hide: true,
      responses: { 200: { description: "Scalar's API reference UI (JavaScript)" } },
    }),
    async (c) => {
      const bundle = await scalarBundle();
      const headers: Record<string, string> = {
        "content-type": "text/javascript; charset=utf-8",
        // Not versioned in its URL: cached a day, then revalidated by its ETag.
        "cache-control": "public, max-age=86400",
        etag: bundle.etag,
        vary: "accept-encoding",
      };
      if (c.req.header("if-none-match") === bundle.etag) return c.body(null, 304, headers);
      if (/\bgzip\b/.test(c.req.header("accept-encoding") ?? "")) {
        return c.body(bundle.gzip, 200, { ...headers, "content-encoding": "gzip" });
      }
      return c.body(bundle.raw, 200, headers);
    },
  ),
];

export const handler = lambdaHandler(routes);
