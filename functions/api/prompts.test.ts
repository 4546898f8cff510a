import { beforeAll, describe, expect, it } from "vitest";
import { testApi } from "../../test/support/app.ts";

let api: Awaited<ReturnType<typeof testApi>>;
beforeAll(async () => {
  api = await testApi();
});

describe("prompts", () => {
  it("upserts by (step, name): the second write replaces the text and keeps the id", async () => {
    const first = await api.call("POST", "/api/v1/prompts", {
      step: "create_shots",
      name: "default_v1",
      prompt: "v1 ${script}",
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      step: "create_shots",
      name: "default_v1",
      prompt: "v1 ${script}",
    });
    expect(first.body.id).toBeGreaterThan(0);

    const second = await api.call("POST", "/api/v1/prompts", {
      step: "create_shots",
      name: "default_v1",
      prompt: "v2",
    });
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    expect(second.body.prompt).toBe("v2");
    expect(Date.parse(second.body.updated_at)).toBeGreaterThanOrEqual(
      Date.parse(first.body.updated_at),
    );

    const all = await api.call("GET", "/api/v1/prompts");
    expect(all.body.filter((p: { name: string }) => p.name === "default_v1")).toHaveLength(1);
  });

  it("lists by step only that step's templates", async () => {
    await api.call("POST", "/api/v1/prompts", { step: "create_script", name: "a", prompt: "x" });
    await api.call("POST", "/api/v1/prompts", { step: "create_script", name: "b", prompt: "y" });
    const res = await api.call("GET", "/api/v1/prompts/step/create_script");
    expect(res.status).toBe(200);
    expect(res.body.map((p: { name: string }) => p.name)).toEqual(["a", "b"]);
    expect(res.body[0]).toHaveProperty("created_at");
    const none = await api.call("GET", "/api/v1/prompts/step/unknown_step");
    expect(none).toMatchObject({ status: 200, body: [] });
  });

  it("deletes a template, then 404s for it", async () => {
    const created = await api.call("POST", "/api/v1/prompts", {
      step: "s",
      name: "gone",
      prompt: "p",
    });
    const del = await api.call("DELETE", `/api/v1/prompts/${created.body.id}`);
    expect(del).toMatchObject({ status: 200, body: { message: "提示词删除成功" } });
    const again = await api.call("DELETE", `/api/v1/prompts/${created.body.id}`);
    expect(again).toMatchObject({
      status: 404,
      body: { code: "not_found", detail: "提示词不存在" },
    });
  });

  it.each([
    [{ step: "s", name: "n" }, "body.prompt"],
    [{ step: "", name: "n", prompt: "p" }, "body.step"],
    [{ step: "s", name: "   ", prompt: "p" }, "body.name"],
    [{ step: 1, name: "n", prompt: "p" }, "body.step"],
    [{ step: "s".repeat(101), name: "n", prompt: "p" }, "body.step"],
  ])("rejects %j with 422 naming %s", async (body, field) => {
    const res = await api.call("POST", "/api/v1/prompts", body);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("validation_failed");
    expect(res.body.errors.map((e: { loc: string[] }) => e.loc.join("."))).toContain(field);
    expect(res.body.detail).toContain(field);
  });

  it.each(["0", "-1", "abc", "1.5", "99999999999"])("rejects prompt id %s with 422", async (id) => {
    const res = await api.call("DELETE", `/api/v1/prompts/${id}`);
    expect(res.status).toBe(422);
    expect(res.body.errors[0].loc).toEqual(["path", "prompt_id"]);
  });
});
