import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { testApi } from "../../test/support/app.ts";
import { apiRoutes, routeManifest } from "./routes.ts";

let api: Awaited<ReturnType<typeof testApi>>;
beforeAll(async () => {
  api = await testApi();
});

describe("system routes", () => {
  it("reports health: database ok and which providers are offline", async () => {
    const res = await api.call("GET", "/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: "ok",
      db: "ok",
      driver: "pglite",
      jobs: "not_configured",
      offline: { text: true, image: true, video: true, storage: true },
    });
  });

  it("publishes an OpenAPI document covering every visible route of the table", async () => {
    const res = await api.call("GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    const documented = Object.entries(res.body.paths as Record<string, object>).flatMap(
      ([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const visible = apiRoutes
      .filter(({ route }) => !route.hide)
      .map(({ route }) => `${route.method.toUpperCase()} ${route.path}`);
    expect(documented.sort()).toEqual(visible.sort());
    expect(res.body.components.schemas.Error.required).toEqual(["detail", "code"]);
  });

  it("serves the API reference page", async () => {
    const res = await api.call("GET", "/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.body).toContain("/openapi.json");
  });

  it("names a Lambda handler export for every route", async () => {
    expect(routeManifest).toHaveLength(apiRoutes.length);
    for (const { handler } of routeManifest) {
      const [file, exportName] = handler.split(".");
      const module = await import(/* @vite-ignore */ pathToFileURL(`${file}.ts`).href);
      expect(typeof module[exportName ?? ""], handler).toBe("function");
    }
  });
});
