import { beforeAll, describe, expect, it } from "vitest";
import { testApi } from "../../../test/support/app.ts";

let api: Awaited<ReturnType<typeof testApi>>;
beforeAll(async () => {
  api = await testApi();
});

describe("refuseNul", () => {
  it("refuses NUL characters in paths, which Postgres cannot store, with 422", async () => {
    const path = await api.call("GET", "/api/v1/prompts/step/a%00b");
    expect(path).toMatchObject({ status: 422, body: { code: "validation_failed" } });
    const query = await api.call("GET", "/api/v1/projects?x=%00");
    expect(query).toMatchObject({ status: 422, body: { code: "validation_failed" } });
  });
});
