import { describe, expect, it } from "vitest";
import { probe } from "../core/media/ffmpeg.ts";
import { localKeyOf, localPath } from "../core/storage/local.ts";
import { readReply } from "./support/app.ts";
import { TINY_PNG, useLocalStack } from "./support/local-stack.ts";

const stack = useLocalStack("server", {
  videoDelayMs: 500,
  env: { UPLOAD_MAX_BYTES: "4096" },
});

const get = async (path: string, init?: RequestInit) =>
  readReply(await fetch(`${stack.url}${path}`, init));

async function upload(fields: Record<string, string | Blob>) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return get("/upload", { method: "POST", body: form });
}

describe("local server", () => {
  it("serves health with the embedded database persisted under DATA_DIR", async () => {
    const res = await get("/health");
    expect(res).toMatchObject({
      status: 200,
      body: { status: "ok", driver: "pglite", jobs: "ok" },
    });
    expect((await get("/docs")).status).toBe(200);
  });

  it("issues a token for its own upload endpoint and serves the uploaded file", async () => {
    const token = (await get("/api/v1/qiniu/upload-token")).body;
    expect(token).toMatchObject({
      bucket: "local",
      domain: `${stack.url}/files`,
      upload_url: `${stack.url}/upload`,
      key_prefix: "uploads/local/",
    });
    expect(Date.parse(token.expires_at) - Date.now()).toBeLessThanOrEqual(900_000);
    const post = await get("/api/v1/qiniu/upload-token", { method: "POST" });
    expect(post.body.bucket).toBe("local");

    const res = await upload({
      token: token.token,
      key: "uploads/local/sketch.png",
      file: new Blob([TINY_PNG], { type: "image/png" }),
    });
    expect(res).toMatchObject({
      status: 200,
      body: { key: "uploads/local/sketch.png", fsize: TINY_PNG.length, mimeType: "image/png" },
    });
    const file = await fetch(`${token.domain}/uploads/local/sketch.png`);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await file.arrayBuffer()).equals(TINY_PNG)).toBe(true);
    const partial = await fetch(`${token.domain}/uploads/local/sketch.png`, {
      headers: { range: "bytes=0-3" },
    });
    expect(partial.status).toBe(206);
    expect((await partial.arrayBuffer()).byteLength).toBe(4);
  });

  it("enforces the token: signature, scope, MIME type and size", async () => {
    const { token } = (await get("/api/v1/qiniu/upload-token")).body;
    const png = new Blob([TINY_PNG], { type: "image/png" });
    const cases: [Record<string, string | Blob>, number, string][] = [
      [{ key: "uploads/local/a.png", file: png }, 401, "invalid_upload_token"],
      [{ token: `${token}x`, key: "uploads/local/a.png", file: png }, 401, "invalid_upload_token"],
      [{ token, key: "private/a.png", file: png }, 403, "key_out_of_scope"],
      [{ token, key: "uploads/other-owner/a.png", file: png }, 403, "key_out_of_scope"],
      [{ token, key: "uploads/local/../../x", file: png }, 422, "invalid_key"],
      [
        { token, key: "uploads/local/a.html", file: new Blob(["<b>"], { type: "text/html" }) },
        403,
        "mime_not_allowed",
      ],
      [
        {
          token,
          key: "uploads/local/big.png",
          file: new Blob([new Uint8Array(5000)], { type: "image/png" }),
        },
        413,
        "file_too_large",
      ],
      [{ token, key: "uploads/local/a.png", file: "not a file" }, 422, "validation_failed"],
    ];
    for (const [fields, status, code] of cases) {
      const res = await upload(fields);
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body).toMatchObject({ code, error: expect.any(String) });
    }
  });

  it("404s missing files as JSON", async () => {
    expect(await get("/files/uploads/none.png")).toMatchObject({
      status: 404,
      body: { code: "not_found" },
    });
  });

  it("runs shot videos and the final cut as queued jobs through the in-process worker", async () => {
    const json = (body: unknown) => ({
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const project = (await get("/api/v1/projects", json({ name: "jobs" }))).body;
    const script = await get(
      `/api/v1/projects/${project.id}/generate-script`,
      json({ script_or_idea: "One. Two. Three.", prompt_template: "${script_or_idea}" }),
    );
    const batch = await get(`/api/v1/projects/${project.id}/generate-asset-images`, {
      method: "POST",
      headers: { prefer: "wait=20" },
    });
    expect(batch.status).toBe(200);
    expect(batch.body).toHaveLength(script.body.assets.length);
    const boards = await get(
      `/api/v1/projects/${project.id}/generate-storyboards`,
      json({
        script: "Shot one.\nShot two.\nShot three.",
        prompt_template: "${materials_description}${script}",
      }),
    );
    for (const b of boards.body.slice(0, 2)) {
      await get(
        `/api/v1/storyboards/${b.id}/generate-frame`,
        json({ frame_prompt: b.frame_prompt, frame_asset_ids: b.frame_asset_ids }),
      );
    }
    const video = await get(
      `/api/v1/storyboards/${boards.body[0].id}/generate-video`,
      json({ shot_prompt: "pan" }),
    );
    expect(video.status).toBe(202);
    expect(video.headers.get("location")).toBe(`/api/v1/jobs/${video.body.job_id}`);
    const waited = await get(`/api/v1/storyboards/${boards.body[1].id}/generate-video`, {
      ...json({ shot_prompt: "tilt" }),
      headers: { "content-type": "application/json", prefer: "wait=20" },
    });
    expect(waited.status).toBe(200);
    expect(waited.body.shot_video_url).toMatch(/\.mp4$/);
    for (let i = 0; i < 60; i++) {
      if ((await get(`/api/v1/jobs/${video.body.job_id}`)).body.status === "succeeded") break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const cut = await get(`/api/v1/projects/${project.id}/compose-video`, {
      method: "POST",
      headers: { prefer: "wait=20" },
    });
    expect(cut.status, JSON.stringify(cut.body)).toBe(200);
    const jobs = (await get(`/api/v1/projects/${project.id}/jobs`)).body;
    const compose = jobs.find((j: { type: string }) => j.type === "compose_video");
    expect(compose.result).toMatchObject({
      method: "copy",
      skipped_storyboard_ids: [boards.body[2].id],
    });
    const info = await probe(localPath(localKeyOf(cut.body.video_url) as string));
    expect(info.video.codec).toBe("h264");
    expect(info.duration).toBeGreaterThan(1.8);
    expect((await get(`/api/v1/projects/${project.id}`)).body.project.video_url).toBe(
      cut.body.video_url,
    );
  });
});
