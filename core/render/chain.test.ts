import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { drive } from "../../test/support/render.ts";
import {
  storedStill,
  storyboardWithFrame,
  useVeoModel,
  videoJobBench,
} from "../../test/support/video-jobs.ts";
import { storyboards, versions } from "../db/schema.ts";
import { listProjectJobs } from "../jobs/store.ts";
import type { Job } from "../jobs/types.ts";

/** Veo 3.0 through the real SDK against the fake: first frames only, no last frame. */
const bench = videoJobBench();

describe("render with chain continuity on a model without last frames", () => {
  it("serialises the shots: shot 2 starts from the real last frame of shot 1's video (ffmpeg)", async () => {
    await useVeoModel("veo-3.0-generate-001", bench.gemini.url);
    const first = await storyboardWithFrame(bench.api);
    const [row] = await bench.api.database.db
      .select()
      .from(storyboards)
      .where(eq(storyboards.id, first));
    const projectId = row?.projectId as number;
    const [second] = await bench.api.database.db
      .insert(storyboards)
      .values({ projectId, position: 1, frameImageUrl: (await storedStill("two")).url })
      .returning();
    await bench.api.call("PATCH", `/api/v1/projects/${projectId}`, {
      settings: { continuity: "chain" },
    });
    const res = await bench.api.call("POST", `/api/v1/projects/${projectId}/render`, {});
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const render = await drive(projectId, res.body.job_id);
    expect(render.status, JSON.stringify(render.error)).toBe("succeeded");
    expect(render.result?.failed).toEqual([]);

    const children = await listProjectJobs(projectId);
    const of = (type: Job["type"], id?: number) =>
      children.find((c) => c.type === type && c.storyboard_id === id) as Job;
    const [video1, frame2, video2] = [
      of("generate_video", first),
      of("generate_frame", second?.id),
      of("generate_video", second?.id),
    ];
    // One after another: the frame waits for shot 1's video, shot 2's video for the frame.
    expect(frame2.created_at >= video1.updated_at).toBe(true);
    expect(video2.created_at >= frame2.updated_at).toBe(true);
    expect(bench.gemini.acceptedVideoStarts()).toBe(2);
    // Nothing asks Veo 3.0 for a last frame.
    expect(video2.input).toMatchObject({ mode: "first_frame", last_frame_url: null });

    const [board2] = await bench.api.database.db
      .select()
      .from(storyboards)
      .where(eq(storyboards.id, second?.id as number));
    const [frame] = await bench.api.database.db
      .select()
      .from(versions)
      .where(eq(versions.id, board2?.frameVersionId as number));
    expect(frame?.provenance).toMatchObject({
      provider: "ffmpeg",
      method: "last_frame_of_previous_shot",
      previous_storyboard_id: first,
    });
    expect(board2?.frameImageUrl).toBe(frame?.url);
    expect(video2.input.frame_image_url).toBe(frame?.url);
    // The extracted frame is a real PNG of the fake's clip.
    const png = await fetchStored(frame?.url as string);
    expect(png.subarray(1, 4).toString()).toBe("PNG");

    // Fresh afterwards: nothing to do again.
    const dry = await bench.api.call("POST", `/api/v1/projects/${projectId}/render`, {
      dry_run: true,
    });
    expect(dry.body.plan.filter((s: { action: string }) => s.action !== "keep")).toEqual([]);
  }, 60_000);
});

async function fetchStored(url: string): Promise<Buffer> {
  const { localKeyOf, localPath } = await import("../storage/local.ts");
  const { readFile } = await import("node:fs/promises");
  return readFile(localPath(localKeyOf(url) as string));
}
