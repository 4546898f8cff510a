import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { type TestApi, testApi } from "../../test/support/app.ts";
import { SCALAR_BUNDLE_FILE, SCALAR_SCRIPT_PATH } from "./docs.ts";
import { resourceRoutes } from "./routes.ts";

let api: TestApi;
beforeAll(async () => {
  api = await testApi();
});

describe("API reference", () => {
  it("publishes an OpenAPI document covering every visible route of the table", async () => {
    const res = await api.call("GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    const documented = Object.entries(res.body.paths as Record<string, object>).flatMap(
      ([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const visible = resourceRoutes
      .filter(({ route }) => !route.hide)
      .map(({ route }) => `${route.method.toUpperCase()} ${route.path}`);
    expect(documented.sort()).toEqual(visible.sort());
    expect(res.body.components.schemas.Error.required).toEqual(["detail", "code"]);
  });

  it("names the API key scheme on every keyed operation, and none on /health or the hooks", async () => {
    const doc = (await api.call("GET", "/openapi.json")).body;
    expect(doc.components.securitySchemes.ApiKey).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.components.securitySchemes.ApiKey.description).toContain("npm run keys");
    for (const [path, ops] of Object.entries(doc.paths as Record<string, object>)) {
      for (const [method, op] of Object.entries(ops as Record<string, { security?: unknown }>)) {
        const keyed = path.startsWith("/api/v1/") && !path.startsWith("/api/v1/hooks/");
        const expected = keyed ? [{ ApiKey: [] }] : path.startsWith("/api/") ? [] : undefined;
        expect(op.security, `${method} ${path}`).toEqual(expected);
      }
    }
  });

  it("serves the API reference page with Scalar's UI from this server, no CDN", async () => {
    const res = await api.call("GET", "/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.body).toContain("/openapi.json");
    expect(res.body).toContain(`<script src="${SCALAR_SCRIPT_PATH}"></script>`);
    expect(res.body.match(/https?:\/\/[^\s"'<>)]+/g) ?? []).toEqual([]);
  });

  it("serves Scalar's bundle gzipped, cached and revalidated by its ETag", async () => {
    const gzipped = await api.app.request(SCALAR_SCRIPT_PATH, {
      headers: { "accept-encoding": "gzip, br" },
    });
    expect(gzipped.status).toBe(200);
    expect(gzipped.headers.get("content-type")).toContain("javascript");
    expect(gzipped.headers.get("content-encoding")).toBe("gzip");
    expect(gzipped.headers.get("cache-control")).toContain("max-age=");
    const zipped = Buffer.from(await gzipped.arrayBuffer());
    const raw = await api.app.request(SCALAR_SCRIPT_PATH);
    expect(raw.headers.get("content-encoding")).toBeNull();
    const text = Buffer.from(await raw.arrayBuffer());
    expect(gunzipSync(zipped).equals(text)).toBe(true);
    expect(text.includes("createApiReference")).toBe(true);
    // Lambda answers at most 6 MB (gzip is sent base64: 4/3 larger).
    expect((zipped.length * 4) / 3).toBeLessThan(6_000_000);
    const etag = raw.headers.get("etag") as string;
    const again = await api.app.request(SCALAR_SCRIPT_PATH, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
  });

  it("ships the bundle with the deployed route where the handler reads it", () => {
    const infra = readFileSync("infra/api.ts", "utf8");
    expect(infra).toContain(`path === "${SCALAR_SCRIPT_PATH}"`);
    expect(infra).toContain(`to: "${SCALAR_BUNDLE_FILE}"`);
    expect(infra).toContain(
      'from: "node_modules/@scalar/api-reference/dist/browser/standalone.js"',
    );
  });
});
