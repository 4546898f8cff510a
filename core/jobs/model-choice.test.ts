import { beforeAll, describe, expect, it } from "vitest";
import {
  projectWithSettings,
  runToEnd,
  submitVideo,
  useVideoRoute,
  videoJobBench,
} from "../../test/support/video-jobs.ts";
import { storyboards } from "../db/schema.ts";
import { renderCard } from "../providers/offline/card.ts";
import { writeLocalFile } from "../storage/local.ts";
import { getJob } from "./store.ts";

// The offline model renders at once, so the worker's checks find it done.
process.env.OFFLINE_VIDEO_DELAY_MS = "0";
const bench = videoJobBench();

async function boardOf(projectId: number) {
  const frame = await writeLocalFile(
    `test/choice-${projectId}.png`,
    renderCard({ width: 64, height: 36, title: "c", prompt: "", label: "", seed: "c" }),
  );
  const [board] = await bench.api.database.db
    .insert(storyboards)
    .values({ projectId, position: 0, frameImageUrl: frame })
    .returning();
  return board?.id as number;
}

describe("the video model a shot is made with", () => {
  // The configured route is Gemini's Veo (a fake): a project that picks another model leaves it alone.
  beforeAll(() => useVideoRoute("gemini", bench.gemini.url));

  it("a project whose settings.video_model is the offline model runs through the worker on it", async () => {
    const projectId = await projectWithSettings(bench.api, { video_model: "offline-video-v1" });
    const before = bench.gemini.videoStartRequests().length;
    const jobId = await submitVideo(bench.api, await boardOf(projectId));
    expect((await getJob(jobId))?.input.model).toBe("offline-video-v1");
    const job = await runToEnd(jobId);
    expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
    expect(job.input.model).toBe("offline-video-v1");
    expect(job.operation?.provider).toBe("offline");
    expect(job.result?.provenance).toMatchObject({ model: "offline-video-v1" });
    expect(bench.gemini.videoStartRequests().length).toBe(before);
  });

  it("a generate-video `model` overrides the project's; no choice keeps the route's model", async () => {
    const projectId = await projectWithSettings(bench.api);
    const chosen = await bench.api.call(
      "POST",
      `/api/v1/storyboards/${await boardOf(projectId)}/generate-video`,
      { shot_prompt: "pan", model: "offline-video-v1" },
    );
    expect(chosen.status, JSON.stringify(chosen.body)).toBe(202);
    const offline = await runToEnd(chosen.body.job_id);
    expect(offline.status, JSON.stringify(offline.error)).toBe("succeeded");
    expect(offline.operation?.provider).toBe("offline");

    const before = bench.gemini.videoStartRequests().length;
    const jobId = await submitVideo(bench.api, await boardOf(projectId));
    const veo = await runToEnd(jobId);
    expect(veo.status, JSON.stringify(veo.error)).toBe("succeeded");
    expect(veo.input.model).toBe("veo-test");
    expect(bench.gemini.videoStartRequests().length).toBe(before + 1);
  });
});
