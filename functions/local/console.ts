import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { serveStatic } from "@hono/node-server/serve-static";
import type { OpenAPIHono } from "@hono/zod-openapi";

/** Where `npm run console:build` (Vite) writes the web console. */
export const consoleDist = fileURLToPath(new URL("../../console/dist", import.meta.url));

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Storyboard Studio</title>
<body><h1>Storyboard Studio</h1><p>The web console is not built. Run <code>npm run console:build</code>
(<code>npm start</code> does it) and reload. The API reference is at <a href="/docs">/docs</a>.</p></body></html>`;

/**
 * The web console at `/`, as the deployed static site serves it: its files, and `index.html` for
 * any other page path (the console routes in the browser). Mounted after the API, so `/api/v1`,
 * `/docs`, `/health`, `/files` and `/upload` never reach it.
 */
export function mountConsole(app: OpenAPIHono, root = consoleDist): void {
  app.use("/assets/*", serveStatic({ root }));
  app.get("/*", async (c, next) => {
    const path = c.req.path;
    if (path.startsWith("/api/") || path.startsWith("/files/")) return next();
    const index = `${root}/index.html`;
    if (!existsSync(index)) return c.html(NOT_BUILT, 200);
    // Files at the top of dist (favicon, …) as they are; any other path is a page of the app.
    if (/^\/[\w.-]+\.\w+$/.test(path) && existsSync(`${root}${path}`)) {
      return serveStatic({ root })(c, next);
    }
    return c.html(await readFile(index, "utf8"));
  });
}
