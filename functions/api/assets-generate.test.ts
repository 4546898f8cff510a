import { beforeAll, describe, expect, it } from "vitest";
import { type TestApi, testApi } from "../../test/support/app.ts";
import { newProject } from "../../test/support/projects.ts";

let api: TestApi;
beforeAll(async () => {
  api = await testApi();
});

describe("legacy asset analysis", () => {
  it("refuses private URLs and too many URLs", async () => {
    const id = await newProject(api);
    const private_ = await api.call("POST", `/api/v1/projects/${id}/assets`, {
      asset_urls: ["http://127.0.0.1:5432/x.png"],
    });
    expect(private_).toMatchObject({ status: 422, body: { code: "url_not_allowed" } });
    const second = await api.call("POST", `/api/v1/projects/${id}/assets`, {
      asset_urls: ["https://93.184.215.14/ok.png", "http://metadata.google.internal/x"],
    });
    expect(second).toMatchObject({ status: 422, body: { code: "url_not_allowed" } });
    expect(second.body.errors[0].loc).toEqual(["body", "asset_urls", 1]);
    const nowhere = await api.call("POST", `/api/v1/projects/${id}/assets`, {
      asset_urls: ["https://nonexistent.invalid/x.png"],
    });
    expect(nowhere).toMatchObject({ status: 422, body: { code: "url_unresolvable" } });
    const listed = await api.call("GET", `/api/v1/projects/${id}`);
    expect(listed.body.assets).toEqual([]);
    const many = Array.from({ length: 11 }, (_, i) => `https://example.com/${i}.png`);
    expect(
      (await api.call("POST", `/api/v1/projects/${id}/assets`, { asset_urls: many })).status,
    ).toBe(422);
    expect(
      (await api.call("POST", `/api/v1/projects/${id}/assets`, { asset_urls: [] })).status,
    ).toBe(422);
  });
});
