import { createRoute } from "@hono/zod-openapi";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { readReply, testApi } from "../../../test/support/app.ts";
import { buildApp, defineRoute } from "../app.ts";

let api: Awaited<ReturnType<typeof testApi>>;
beforeAll(async () => {
  api = await testApi();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("errors", () => {
  it("answers malformed JSON with 400 invalid_json", async () => {
    const res = await api.call("POST", "/api/v1/projects", "{not json");
    expect(res).toMatchObject({ status: 400, body: { code: "invalid_json" } });
  });

  it("answers a value Postgres cannot store (NUL in a body) with 422 instead of a 500", async () => {
    const body = await api.call("POST", "/api/v1/projects", { name: "a\u0000b" });
    expect(body).toMatchObject({ status: 422, body: { code: "invalid_value" } });
  });

  it("answers unknown routes and methods with a JSON 404", async () => {
    expect(await api.call("GET", "/api/v1/nope")).toMatchObject({
      status: 404,
      body: { code: "route_not_found" },
    });
    expect((await api.call("PATCH", "/api/v1/projects")).status).toBe(404);
  });

  it("turns an unexpected exception into a generic 500 without leaking its message", async () => {
    const app = buildApp([
      defineRoute(
        createRoute({ method: "get", path: "/boom", responses: { 200: { description: "never" } } }),
        () => {
          throw new Error("secret internals");
        },
      ),
    ]);
    vi.spyOn(process.stderr, "write").mockReturnValue(true);
    const res = await readReply(await app.request("/boom"));
    expect(res).toMatchObject({ status: 500, body: { code: "internal_error" } });
    expect(JSON.stringify(res.body)).not.toContain("secret internals");
  });
});
