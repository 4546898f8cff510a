import { beforeAll, describe, expect, it } from "vitest";
import { prompts } from "../../core/db/schema.ts";
import { testApi } from "../../test/support/app.ts";
import { apiRoutes } from "./manifest.ts";

let api: Awaited<ReturnType<typeof testApi>>;
beforeAll(async () => {
  api = await testApi();
});

/** Spellings that a lenient number parser reads as 1 (or 0/NaN); only `1` itself is an id. */
const NON_CANONICAL = ["1.0", "+1", "1e0", "%201", "1%20", "01", "0x1", "1_000", "0"];

const withIntegerId = apiRoutes
  .map(({ route }) => route)
  .filter((r) => /\{(project|asset|storyboard|prompt)_id\}/.test(r.path));

describe("integer path ids", () => {
  it("are path parameters of many routes", () => {
    expect(withIntegerId.length).toBeGreaterThan(10);
  });

  it.each(withIntegerId.map((r) => [r.method.toUpperCase(), r.path]))(
    "%s %s accepts only canonical decimals (422 otherwise)",
    async (method, path) => {
      for (const spelling of NON_CANONICAL) {
        // A route's required query is sent well-formed, so only the path can be wrong.
        const query = path.endsWith("/export") ? "?format=vtt" : "";
        const url = `${path.replace(/\{\w+_id\}/g, spelling)}${query}`;
        const res = await api.call(method, url, method === "GET" ? undefined : {});
        expect(res.status, `${method} ${url}`).toBe(422);
        expect(res.body.code).toBe("validation_failed");
        expect(res.body.errors?.[0]?.loc?.[0]).toBe("path");
      }
    },
  );

  it("never deletes prompt 1 through DELETE /prompts/1.0", async () => {
    const [row] = await api.database.db
      .insert(prompts)
      .values({ step: "s", name: "n", prompt: "p" })
      .returning();
    const res = await api.call("DELETE", `/api/v1/prompts/${row?.id}.0`);
    expect(res.status).toBe(422);
    const left = await api.call("GET", "/api/v1/prompts/step/s");
    expect(left.body.map((p: { id: number }) => p.id)).toContain(row?.id);
    expect((await api.call("DELETE", `/api/v1/prompts/${row?.id}`)).status).toBe(200);
  });

  it("still tells a too-large id from a malformed one", async () => {
    const res = await api.call("GET", "/api/v1/projects/2147483648");
    expect(res).toMatchObject({ status: 422, body: { errors: [{ msg: "is too large" }] } });
  });
});
