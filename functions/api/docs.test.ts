import { beforeAll, describe, expect, it } from "vitest";
import { type TestApi, testApi } from "../../test/support/app.ts";
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

  it("serves the API reference page", async () => {
    const res = await api.call("GET", "/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.body).toContain("/openapi.json");
  });
});
