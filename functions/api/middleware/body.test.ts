import { beforeAll, describe, expect, it } from "vitest";
import { readReply, testApi } from "../../../test/support/app.ts";

let api: Awaited<ReturnType<typeof testApi>>;
beforeAll(async () => {
  api = await testApi();
});

describe("requireJson", () => {
  it("answers a non-JSON content type with 415", async () => {
    const res = await api.call("POST", "/api/v1/projects", undefined, {
      "content-type": "text/plain",
    });
    expect(res.status).toBe(415);
    const form = await readReply(
      await api.app.request("/api/v1/prompts", { method: "POST", body: new FormData() }),
    );
    expect(form).toMatchObject({ status: 415, body: { code: "unsupported_media_type" } });
  });
});

describe("bodyLimit", () => {
  it("refuses bodies over MAX_BODY_BYTES with 413", async () => {
    const huge = JSON.stringify({ step: "s", name: "n", prompt: "x".repeat(1_100_000) });
    const res = await api.call("POST", "/api/v1/prompts", huge);
    expect(res).toMatchObject({ status: 413, body: { code: "body_too_large" } });
  });
});
