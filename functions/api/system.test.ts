import { beforeAll, describe, expect, it } from "vitest";
import { type TestApi, testApi } from "../../test/support/app.ts";

let api: TestApi;
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
});
