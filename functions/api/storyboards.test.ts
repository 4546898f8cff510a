import { beforeAll, describe, expect, it } from "vitest";
import { renderCard } from "../../core/providers/offline/card.ts";
import { writeLocalFile } from "../../core/storage/local.ts";
import { type TestApi, testApi } from "../../test/support/app.ts";
import { newProject } from "../../test/support/projects.ts";

let api: TestApi;
beforeAll(async () => {
  api = await testApi();
});

const own = (name: string) =>
  writeLocalFile(
    `test/edit-${name}.png`,
    renderCard({ width: 32, height: 18, title: name, prompt: "", label: "", seed: name }),
  );

/** A project with one asset that has an image, through the API only. */
async function project() {
  const id = await newProject(api, "edit");
  const asset = (
    await api.call("POST", `/api/v1/projects/${id}/assets`, {
      asset_urls: [await own(`asset-${id}`)],
    })
  ).body[0];
  return { id, assetId: asset.id as number };
}

describe("editing shots over HTTP", () => {
  it("adds, changes, reorders and deletes shots; GET /projects/{id} shows them in order", async () => {
    const { id, assetId } = await project();
    const add = (body: object) => api.call("POST", `/api/v1/projects/${id}/storyboards`, body);
    const a = await add({ frame_prompt: "a", shot_prompt: "pan", frame_asset_ids: [assetId] });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({
      position: 1,
      transition: "cut",
      dialogue: [],
      narration: null,
      frame_stale: false,
      video_stale: false,
    });
    const b = await add({
      frame_prompt: "b",
      shot_prompt: "zoom",
      position: 1,
      duration_seconds: 6,
      narration: "Once upon a time",
      dialogue: [{ speaker_asset_id: assetId, text: "Hello" }],
      transition: "dissolve",
    });
    expect(b.body).toMatchObject({ position: 1, duration_seconds: 6, transition: "dissolve" });

    const patched = await api.call("PATCH", `/api/v1/storyboards/${a.body.id}`, {
      position: 1,
      narration: "Later",
    });
    expect(patched).toMatchObject({ status: 200, body: { position: 1, narration: "Later" } });
    const order = await api.call("PUT", `/api/v1/projects/${id}/storyboards/order`, {
      storyboard_ids: [b.body.id, a.body.id],
    });
    expect(order.body.map((s: { id: number }) => s.id)).toEqual([b.body.id, a.body.id]);

    const full = await api.call("GET", `/api/v1/projects/${id}`);
    expect(full.body.storyboards.map((s: { position: number }) => s.position)).toEqual([1, 2]);
    expect(full.body.project).toMatchObject({
      video_stale: false,
      settings: { transition: "cut" },
    });

    expect((await api.call("DELETE", `/api/v1/storyboards/${b.body.id}`)).status).toBe(200);
    expect(
      (await api.call("PATCH", `/api/v1/storyboards/${b.body.id}`, { narration: "x" })).status,
    ).toBe(404);
    const after = await api.call("GET", `/api/v1/projects/${id}`);
    expect(
      after.body.storyboards.map((s: { id: number; position: number }) => [s.id, s.position]),
    ).toEqual([[a.body.id, 1]]);
  });

  it("answers bad edits with 4xx and a code, and writes nothing", async () => {
    const { id } = await project();
    const other = await project();
    const s = (
      await api.call("POST", `/api/v1/projects/${id}/storyboards`, {
        frame_prompt: "a",
        shot_prompt: "b",
      })
    ).body;
    const cases: [string, string, object, number, string][] = [
      [
        "POST",
        `/api/v1/projects/${id}/storyboards`,
        { frame_prompt: "a", shot_prompt: "b", position: 3 },
        400,
        "position_out_of_range",
      ],
      [
        "POST",
        `/api/v1/projects/${id}/storyboards`,
        { frame_prompt: "a" },
        422,
        "validation_failed",
      ],
      ["PATCH", `/api/v1/storyboards/${s.id}`, { position: 0 }, 422, "validation_failed"],
      ["PATCH", `/api/v1/storyboards/${s.id}`, { shot_promt: "typo" }, 422, "validation_failed"],
      ["PATCH", `/api/v1/storyboards/${s.id}`, { transition: "wipe" }, 422, "validation_failed"],
      [
        "PATCH",
        `/api/v1/storyboards/${s.id}`,
        { dialogue: [{ speaker_asset_id: other.assetId, text: "hi" }] },
        400,
        "speaker_not_in_project",
      ],
      [
        "PATCH",
        `/api/v1/storyboards/${s.id}`,
        { frame_asset_ids: [other.assetId] },
        400,
        "asset_not_in_project",
      ],
      [
        "PUT",
        `/api/v1/projects/${id}/storyboards/order`,
        { storyboard_ids: [] },
        400,
        "not_a_permutation",
      ],
      [
        "PUT",
        `/api/v1/projects/${id}/storyboards/order`,
        { storyboard_ids: [s.id, s.id] },
        400,
        "not_a_permutation",
      ],
      [
        "PUT",
        `/api/v1/storyboards/${s.id}/frame`,
        { image_url: "http://169.254.169.254/latest" },
        422,
        "url_not_allowed",
      ],
      ["POST", `/api/v1/storyboards/${s.id}/versions/99999999/select`, {}, 404, "not_found"],
      [
        "PATCH",
        `/api/v1/projects/${id}`,
        { settings: { aspect_ratio: "4:5" } },
        422,
        "validation_failed",
      ],
      ["PATCH", `/api/v1/assets/${other.assetId}`, { voice: "" }, 422, "validation_failed"],
    ];
    for (const [method, path, body, status, code] of cases) {
      const res = await api.call(method, path, body);
      expect([res.status, res.body.code], `${method} ${path} ${JSON.stringify(body)}`).toEqual([
        status,
        code,
      ]);
      expect(res.body.detail).toBeTruthy();
    }
    const unchanged = (await api.call("GET", `/api/v1/projects/${id}`)).body.storyboards;
    expect(unchanged).toMatchObject([
      { id: s.id, position: 1, dialogue: [], frame_asset_ids: [], transition: "cut" },
    ]);
    await api.call("DELETE", `/api/v1/projects/${other.id}`);
    expect((await api.call("PATCH", `/api/v1/projects/${other.id}`, { name: "x" })).status).toBe(
      404,
    );
    expect((await api.call("PATCH", `/api/v1/assets/${other.assetId}`, { name: "x" })).status).toBe(
      404,
    );
  });

  it("own frame, regenerate, versions and rollback; stale flags follow", async () => {
    const { id, assetId } = await project();
    const s = (
      await api.call("POST", `/api/v1/projects/${id}/storyboards`, {
        frame_prompt: "a cat",
        shot_prompt: "pan",
        frame_asset_ids: [assetId],
      })
    ).body;
    const mine = await own(`frame-${s.id}`);
    expect(
      (await api.call("PUT", `/api/v1/storyboards/${s.id}/frame`, { image_url: mine })).body,
    ).toEqual({ frame_image_url: mine });
    const edited = await api.call("PATCH", `/api/v1/storyboards/${s.id}`, {
      frame_prompt: "a cat at dusk",
    });
    expect(edited.body.frame_stale).toBe(true);

    const regenerated = await api.call("POST", `/api/v1/storyboards/${s.id}/regenerate`, {
      detail: "make it night",
    });
    expect(regenerated.status).toBe(200);
    expect(regenerated.body.frame_prompt).toContain("make it night");
    expect(regenerated.body.frame_stale).toBe(false);
    expect(regenerated.body.frame_image_url).not.toBe(mine);

    const versions = (await api.call("GET", `/api/v1/storyboards/${s.id}/versions`)).body;
    expect(
      versions.map((v: { source: string; current: boolean }) => [v.source, v.current]),
    ).toEqual([
      ["regenerated", true],
      ["uploaded", false],
    ]);
    expect(versions[0].provenance).toMatchObject({
      template: { step: "storyboard_regenerate", version: 1 },
    });
    const back = await api.call(
      "POST",
      `/api/v1/storyboards/${s.id}/versions/${versions[1].version_id}/select`,
    );
    expect(back.body).toMatchObject({ frame_image_url: mine, frame_stale: true });

    const image = await own(`asset2-${assetId}`);
    await api.call("PUT", `/api/v1/assets/${assetId}/image`, { image_url: image });
    const assetVersions = (await api.call("GET", `/api/v1/assets/${assetId}/versions`)).body;
    expect(assetVersions.map((v: { current: boolean }) => v.current)).toEqual([true, false]);
    const selected = await api.call(
      "POST",
      `/api/v1/assets/${assetId}/versions/${assetVersions[1].version_id}/select`,
    );
    expect(selected.body.original_url).toBe(assetVersions[1].url);

    const renamed = await api.call("PATCH", `/api/v1/assets/${assetId}`, {
      voice: "Puck",
      tags: ["hero"],
    });
    expect(renamed.body).toMatchObject({ voice: "Puck", tags: ["hero"] });
    const project2 = await api.call("PATCH", `/api/v1/projects/${id}`, {
      idea: "A cat at night",
      settings: { voice: "Kore" },
    });
    expect(project2.body).toMatchObject({
      script: "A cat at night",
      settings: { voice: "Kore", aspect_ratio: "16:9" },
    });
  });
});
