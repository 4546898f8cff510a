import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "../../core/db/client.ts";
import { projects } from "../../core/db/schema.ts";
import { keepCut } from "../../core/export/store.ts";
import { testApi } from "../../test/support/app.ts";
import { sampleCut } from "../../test/support/cut-export.ts";

let api: Awaited<ReturnType<typeof testApi>>;
beforeAll(async () => {
  api = await testApi();
});

const files = { job_id: "job-1", subtitles_url: null, srt_url: null, audio_url: null };

/** A project whose current cut was kept with its timeline, as the final cut job keeps it. */
async function projectWithCut(name: string) {
  const { id } = (await api.call("POST", "/api/v1/projects", { name })).body;
  const url = `http://127.0.0.1:3000/files/projects/${id}/final/job-1.mp4`;
  await keepCut(url, sampleCut(name, id), files);
  await (await db()).update(projects).set({ videoUrl: url }).where(eq(projects.id, id));
  return id as number;
}

describe("GET /projects/{id}/export", () => {
  it.each([
    ["fcpxml", "application/xml; charset=utf-8", "harbour-night"],
    ["otio", "application/json; charset=utf-8", "harbour-night"],
    ["edl", "text/plain; charset=utf-8", "harbour-night"],
    ["srt", "application/x-subrip; charset=utf-8", "harbour-night"],
    ["vtt", "text/vtt; charset=utf-8", "harbour-night"],
  ])("answers %s as a download with its content type", async (format, type, slug) => {
    const id = await projectWithCut("Harbour night");
    const res = await api.call("GET", `/api/v1/projects/${id}/export?format=${format}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(type);
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="${slug}-${id}.${format}"`,
    );
    const text = typeof res.body === "string" ? res.body : JSON.stringify(res.body);
    // Every shot of the cut is in the timeline formats, in order.
    if (["fcpxml", "otio", "edl"].includes(format)) {
      const marks =
        format === "edl"
          ? ["SHOT001", "SHOT002", "SHOT003", "SHOT004"]
          : ["Shot 1", "Shot 2", "Shot 3", "Shot 4"];
      const at = marks.map((m) => text.indexOf(m));
      expect(at.every((i) => i >= 0)).toBe(true);
      expect(at).toEqual([...at].sort((a, b) => a - b));
    }
    if (format === "otio") expect(res.body.OTIO_SCHEMA).toBe("Timeline.1");
    if (format === "vtt") expect(text.startsWith("WEBVTT")).toBe(true);
    if (format === "srt") expect(text).toMatch(/^1\n\d\d:\d\d:\d\d,\d{3} --> /);
  });

  it("is 409 no_cut for a project without a final cut", async () => {
    const { id } = (await api.call("POST", "/api/v1/projects", { name: "empty" })).body;
    const res = await api.call("GET", `/api/v1/projects/${id}/export?format=fcpxml`);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      code: "no_cut",
      detail: expect.stringContaining("no final cut"),
    });
  });

  it("is 409 no_cut for a cut made before timelines were kept, and follows the current cut", async () => {
    const id = await projectWithCut("old cut");
    const newer = `http://127.0.0.1:3000/files/projects/${id}/final/legacy.mp4`;
    await (await db()).update(projects).set({ videoUrl: newer }).where(eq(projects.id, id));
    const res = await api.call("GET", `/api/v1/projects/${id}/export?format=edl`);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      code: "no_cut",
      detail: expect.stringContaining("compose it again"),
    });
  });

  it("is 422 for an unknown or missing format, 404 for an unknown project", async () => {
    const id = await projectWithCut("formats");
    const unknown = await api.call("GET", `/api/v1/projects/${id}/export?format=aaf`);
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].loc).toEqual(["query", "format"]);
    expect((await api.call("GET", `/api/v1/projects/${id}/export`)).status).toBe(422);
    const missing = await api.call("GET", "/api/v1/projects/987654/export?format=otio");
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe("not_found");
  });
});
