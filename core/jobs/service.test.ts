import { afterEach, describe, expect, it } from "vitest";
import { storyboardWithFrame, videoJobBench } from "../../test/support/video-jobs.ts";
import { resetConfig } from "../config.ts";
import { storyboards } from "../db/schema.ts";
import { claimActive } from "./slots.ts";
import { getJob, updateJob } from "./store.ts";

const bench = videoJobBench();
const call = (...args: Parameters<typeof bench.api.call>) => bench.api.call(...args);

async function projectWithClip() {
  const projectId = (await call("POST", "/api/v1/projects", { name: "cut" })).body.id;
  await bench.api.database.db
    .insert(storyboards)
    .values({ projectId, position: 0, shotVideoUrl: "http://127.0.0.1:1/files/clip.mp4" });
  return projectId as number;
}

describe("a double click answers with the job in flight", () => {
  it("generate-video: two simultaneous identical requests get one job", async () => {
    const boardId = await storyboardWithFrame(bench.api);
    const send = () =>
      call("POST", `/api/v1/storyboards/${boardId}/generate-video`, { shot_prompt: "pan" });
    const [a, b] = await Promise.all([send(), send()]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(b.body.job_id).toBe(a.body.job_id);
    expect(b.headers.get("location")).toBe(`/api/v1/jobs/${a.body.job_id}`);
    // Another prompt is other work: a job of its own.
    const other = await call("POST", `/api/v1/storyboards/${boardId}/generate-video`, {
      shot_prompt: "zoom",
    });
    expect(other.body.job_id).not.toBe(a.body.job_id);
  });

  it("compose-video and generate-asset-images too; once the job ended, a new request is new work", async () => {
    const projectId = await projectWithClip();
    for (const path of ["compose-video", "generate-asset-images"]) {
      const first = await call("POST", `/api/v1/projects/${projectId}/${path}`);
      const second = await call("POST", `/api/v1/projects/${projectId}/${path}`);
      expect([first.status, second.status]).toEqual([202, 202]);
      expect(second.body.job_id).toBe(first.body.job_id);
      await updateJob(first.body.job_id, {
        from: ["queued"],
        set: { status: "succeeded", result: {} },
      });
      const third = await call("POST", `/api/v1/projects/${projectId}/${path}`);
      expect(third.status).toBe(202);
      expect(third.body.job_id).not.toBe(first.body.job_id);
    }
  });

  it("the rival that writes between our read and our write wins, and we answer with its job", async () => {
    const key = `active#test-${Date.now()}`;
    const rivalJob = "11111111-1111-4111-8111-111111111111";
    const expires = Math.floor(Date.now() / 1000) + 3600;
    const holder = await claimActive(key, "22222222-2222-4222-8222-222222222222", expires, {
      // The rival claims after we read and before we write.
      afterRead: async () => {
        expect(await claimActive(key, rivalJob, expires)).toBe(rivalJob);
      },
    });
    expect(holder).toBe(rivalJob);
  });
});

describe("the cap on active shot videos per owner", () => {
  afterEach(() => {
    delete process.env.MAX_ACTIVE_VIDEO_JOBS;
    resetConfig();
  });

  it("holds under simultaneous submits and frees the slots of jobs that ended", async () => {
    process.env.MAX_ACTIVE_VIDEO_JOBS = "2";
    resetConfig();
    // A fresh owner, so earlier tests' jobs do not count.
    const owner = `cap-${Date.now()}`;
    const { createApiKey } = await import("../auth.ts");
    const { key } = await createApiKey(owner);
    const auth = { authorization: `Bearer ${key}` };
    const projectId = (await call("POST", "/api/v1/projects", { name: "cap" }, auth)).body.id;
    const { writeLocalFile } = await import("../storage/local.ts");
    const frame = await writeLocalFile(`test/cap-${owner}.png`, Buffer.from("png"));
    const boards = await bench.api.database.db
      .insert(storyboards)
      .values([0, 1, 2, 3].map((position) => ({ projectId, position, frameImageUrl: frame })))
      .returning();
    const replies = await Promise.all(
      boards.map((b) =>
        call("POST", `/api/v1/storyboards/${b.id}/generate-video`, { shot_prompt: "x" }, auth),
      ),
    );
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses).toEqual([202, 202, 429, 429]);
    const refused = replies.find((r) => r.status === 429);
    expect(refused?.body.code).toBe("too_many_video_jobs");
    expect(refused?.headers.get("retry-after")).toBeTruthy();
    // One job ends without giving its slot back (a lost release): the next submit clears it.
    const accepted = replies.find((r) => r.status === 202);
    await updateJob(accepted?.body.job_id, {
      from: ["queued"],
      set: { status: "failed", error: { code: "x", message: "x" } },
    });
    const waiting = boards[replies.findIndex((r) => r.status === 429)];
    const retry = await call(
      "POST",
      `/api/v1/storyboards/${waiting?.id}/generate-video`,
      { shot_prompt: "x" },
      auth,
    );
    expect(retry.status).toBe(202);
    expect((await getJob(retry.body.job_id))?.status).toBe("queued");
  });
});
