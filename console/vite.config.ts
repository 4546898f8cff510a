import { defineConfig } from "vite";

/**
 * The console is a static site: `vite build` writes `dist/`, which `npm start` serves at `/` and
 * SST deploys (infra/console.ts). In `vite` dev mode, API calls go to the local server.
 */
export default defineConfig({
  root: import.meta.dirname,
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
  server: {
    proxy: Object.fromEntries(
      ["/api", "/files", "/upload", "/health", "/openapi.json", "/docs"].map((p) => [
        p,
        "http://127.0.0.1:3000",
      ]),
    ),
  },
});
