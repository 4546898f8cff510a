import { describe, expect, it } from "vitest";
import { listProjectJobs } from "../../core/jobs/store.ts";
import { callsOf, drive, renderBench, scriptedProject } from "../../test/support/render.ts";
import { LOCAL_PRINCIPAL, withPrincipal } from "../auth.ts";
import { resetConfig } from "../config.ts";
import { assets, storyboards } from "../db/schema.ts";
import { TERMINAL } from "../jobs/types.ts";
import { renderCard } from "../providers/offline/card.ts";
import { projectNarration } from "../speech/clips.ts";
import { defaultVoiceOf } from "../speech/voices.ts";
import { writeLocalFile } from "../storage/local.ts";

const bench = renderBench();
/** The project the first test renders; the next ones edit and render it again. */
let rendered: number;

describe("POST /projects/{id}/render, offline, end to end", () => {
  it("renders the film from the script as child jobs, and a re-render with nothing stale calls no provider", async () => {
    const { api } = bench;
    const id = await scriptedProject(api);
    rendered = id;

    const dry = await api.call("POST", `/api/v1/projects/${id}/render`, { dry_run: true });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body.plan.map((s: { stage: string }) => s.stage)).toContain("storyboards");
    expect(dry.body.estimate).toMatchObject({ usd: 0, paid_calls: 0 });
    expect(dry.body.estimate.calls).toBeGreaterThan(0);
    // A dry run starts nothing.
    expect(await listProjectJobs(id)).toEqual([]);

    const res = await api.call("POST", `/api/v1/projects/${id}/render`, {});
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({ type: "render_film", status: "queued", parent_id: null });
    expect(res.headers.get("location")).toBe(`/api/v1/jobs/${res.body.job_id}`);

    const job = await drive(id, res.body.job_id);
    expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
    expect(job.result).toMatchObject({ video_url: expect.stringMatching(/\.mp4$/), failed: [] });

    const project = (await api.call("GET", `/api/v1/projects/${id}`)).body;
    expect(project.project.video_url).toBe(job.result?.video_url);
    expect(project.project.video_stale).toBe(false);
    expect(project.assets.every((a: { original_url: string }) => a.original_url)).toBe(true);
    const shots = project.storyboards;
    expect(shots.length).toBeGreaterThanOrEqual(3);
    for (const shot of shots) {
      expect(shot).toMatchObject({ frame_stale: false, video_stale: false });
      expect(shot.frame_image_url).toBeTruthy();
      expect(shot.shot_video_url).toBeTruthy();
    }

    // Every step ran as a child of the render, on the same queue.
    const children = (await listProjectJobs(id)).filter((j) => j.job_id !== job.job_id);
    expect(children.every((c) => c.parent_id === job.job_id && c.status === "succeeded")).toBe(
      true,
    );
    const types = children.map((c) => c.type);
    expect(types.filter((t) => t === "generate_video")).toHaveLength(shots.length);
    expect(types.filter((t) => t === "generate_frame")).toHaveLength(shots.length);
    expect(new Set(types)).toEqual(
      new Set([
        "generate_asset_images",
        "generate_storyboards",
        "generate_frame",
        "generate_video",
        "compose_video",
      ]),
    );
    const read = (await api.call("GET", `/api/v1/jobs/${job.job_id}`)).body;
    expect(read).toMatchObject({ status: "succeeded", stage: "final_cut", progress: 100 });
    expect(read.steps).toMatchObject({
      frames: { done: shots.length, total: shots.length },
      videos: { done: shots.length, total: shots.length },
      final_cut: { done: 1, total: 1 },
    });

    // Nothing stale: the plan keeps everything, and the render calls no provider at all.
    const again = await api.call("POST", `/api/v1/projects/${id}/render`, { dry_run: true });
    expect(again.body.plan.filter((s: { action: string }) => s.action !== "keep")).toEqual([]);
    expect(again.body.estimate).toEqual({ usd: 0, paid_calls: 0, calls: 0 });
    const before = await callsOf(api, id);
    const rerun = await api.call("POST", `/api/v1/projects/${id}/render`, {});
    expect(rerun.status).toBe(202);
    const second = await drive(id, rerun.body.job_id);
    expect(second.status).toBe("succeeded");
    expect(second.result).toMatchObject({ video_url: job.result?.video_url, kept: true });
    expect(await callsOf(api, id)).toEqual(before);
    const jobsAfter = await listProjectJobs(id);
    expect(jobsAfter.filter((j) => j.parent_id === second.job_id)).toEqual([]);
  }, 120_000);

  it("redoes only what an edit made stale: one shot's frame, its video and the cut", async () => {
    const { api } = bench;
    const id = rendered;
    const [first] = (await api.call("GET", `/api/v1/projects/${id}`)).body.storyboards;
    const patched = await api.call("PATCH", `/api/v1/storyboards/${first.id}`, {
      frame_prompt: "The cat at dawn, from above",
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);

    const dry = await api.call("POST", `/api/v1/projects/${id}/render`, { dry_run: true });
    const made = dry.body.plan.filter((s: { action: string }) => s.action !== "keep");
    expect(made).toEqual([
      { stage: "frames", storyboard_id: first.id, action: "regenerate", reason: "stale" },
      { stage: "videos", storyboard_id: first.id, action: "regenerate", reason: "frame" },
      { stage: "final_cut", action: "regenerate", reason: "shot_videos" },
    ]);
    const before = await callsOf(api, id);
    const job = await drive(
      id,
      (await api.call("POST", `/api/v1/projects/${id}/render`, {})).body.job_id,
    );
    expect(job.status).toBe("succeeded");
    // One frame and one video on the ledger; one frame and one video version, and the new cut
    // (kept as a project version of kind `cut` for the export).
    expect(await callsOf(api, id)).toEqual({
      ledger: before.ledger + 2,
      versions: before.versions + 3,
    });
    const after = (await api.call("GET", `/api/v1/projects/${id}`)).body;
    expect(after.project.video_url).toBe(job.result?.video_url);
    expect(after.project.video_stale).toBe(false);
    expect(after.storyboards[0]).toMatchObject({ frame_stale: false, video_stale: false });
  }, 120_000);

  it("submits the shot videos at once within the owner's cap; the others wait in the render, not refused", async () => {
    const { api } = bench;
    const id = (await api.call("POST", "/api/v1/projects", { name: "capped" })).body.id;
    const frame = await writeLocalFile(
      `test/capped-${id}.png`,
      renderCard({ width: 64, height: 36, title: "c", prompt: "", label: "", seed: "c" }),
    );
    await api.database.db.insert(storyboards).values(
      Array.from({ length: 4 }, (_, i) => ({
        projectId: id,
        position: i + 1,
        shotPrompt: "pan",
        frameImageUrl: frame,
      })),
    );
    process.env.MAX_ACTIVE_VIDEO_JOBS = "2";
    resetConfig();
    try {
      const res = await api.call("POST", `/api/v1/projects/${id}/render`, {});
      expect(res.status).toBe(202);
      const seen: number[] = [];
      const job = await drive(id, res.body.job_id, {
        before: async () => {
          const videos = (await listProjectJobs(id)).filter((j) => j.type === "generate_video");
          const active = videos.filter((v) => !TERMINAL.has(v.status));
          expect(active.length).toBeLessThanOrEqual(2);
          if (active.length) seen.push(videos.length);
        },
      });
      expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
      // Two at first, the other two once slots freed; all four in the cut.
      expect(seen[0]).toBe(2);
      expect(seen.at(-1)).toBe(4);
      expect(job.result?.clips).toHaveLength(4);
      expect(job.result?.failed).toEqual([]);
    } finally {
      delete process.env.MAX_ACTIVE_VIDEO_JOBS;
      resetConfig();
    }
  }, 60_000);

  it("narration on: speaks each shot before its video, whose length follows the speech; keeps fresh clips, respeaks a stale one", async () => {
    const { api } = bench;
    const id = (await api.call("POST", "/api/v1/projects", { name: "narrated" })).body.id;
    await api.call("PATCH", `/api/v1/projects/${id}`, { settings: { narration: true } });
    const frame = await writeLocalFile(
      `test/narrated-${id}.png`,
      renderCard({ width: 64, height: 36, title: "n", prompt: "", label: "", seed: "n" }),
    );
    const [mara, tom] = await api.database.db
      .insert(assets)
      .values(["Mara", "Tom"].map((name) => ({ projectId: id, name, originalUrl: frame })))
      .returning();
    const long = "The lighthouse keeper climbs the stairs, one by one, as the storm rolls in.";
    const lines = [
      { speaker_asset_id: mara?.id, text: "Did you see it?" },
      { speaker_asset_id: tom?.id, text: "Yes." },
    ];
    const [first, second, silent] = await api.database.db
      .insert(storyboards)
      .values([
        { projectId: id, position: 1, shotPrompt: "pan", frameImageUrl: frame, narration: long },
        { projectId: id, position: 2, shotPrompt: "pan", frameImageUrl: frame, dialogue: lines },
        { projectId: id, position: 3, shotPrompt: "pan", frameImageUrl: frame },
      ])
      .returning();
    const render = async () => {
      const res = await api.call("POST", `/api/v1/projects/${id}/render`, {});
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      const job = await drive(id, res.body.job_id);
      expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
      return job;
    };
    const dry = await api.call("POST", `/api/v1/projects/${id}/render`, { dry_run: true });
    const narrationSteps = dry.body.plan.filter((s: { stage: string }) => s.stage === "narration");
    expect(narrationSteps.map((s: { storyboard_id: number }) => s.storyboard_id)).toEqual([
      first?.id,
      second?.id,
    ]);
    expect(
      dry.body.plan.find(
        (s: { stage: string; storyboard_id?: number }) =>
          s.stage === "videos" && s.storyboard_id === first?.id,
      ).note,
    ).toMatch(/follows the narration/);

    const job = await render();
    expect(job.steps).toMatchObject({ narration: { done: 2, total: 2 } });
    const children = (await listProjectJobs(id)).filter((j) => j.parent_id === job.job_id);
    const spoken = children.filter((c) => c.type === "generate_narration");
    const videos = children.filter((c) => c.type === "generate_video");
    expect(spoken.map((c) => c.storyboard_id).sort()).toEqual([first?.id, second?.id].sort());
    // Every clip was spoken before any video was submitted.
    const lastSpoken = Math.max(...spoken.map((c) => Date.parse(c.updated_at)));
    expect(videos.every((v) => Date.parse(v.created_at) >= lastSpoken)).toBe(true);
    const clips = await withPrincipal(LOCAL_PRINCIPAL, () => projectNarration(id));
    expect([...clips.keys()].sort()).toEqual([first?.id, second?.id].sort());
    expect([...clips.values()].every((c) => !c.stale)).toBe(true);
    // Shot 1's speech is longer than 4 s: its video was made 6 or 8 s long, and says why.
    const speech = clips.get(first?.id as number)?.duration_seconds as number;
    expect(speech + 0.3).toBeGreaterThan(4);
    const video = videos.find((v) => v.storyboard_id === first?.id);
    expect(video?.input).toMatchObject({ speech_seconds: speech, hold_seconds: 0 });
    expect(video?.input.duration_seconds as number).toBeGreaterThanOrEqual(speech + 0.3);
    expect(video?.input.mapped).toEqual([
      expect.objectContaining({
        field: "duration_seconds",
        requested: 4,
        reason: expect.stringContaining("narration"),
      }),
    ]);
    expect(spoken.some((c) => c.storyboard_id === silent?.id)).toBe(false);

    // Fresh clips are kept; a character's new voice makes only that shot's clip stale.
    const kept = await api.call("POST", `/api/v1/projects/${id}/render`, { dry_run: true });
    expect(kept.body.plan.filter((s: { action: string }) => s.action !== "keep")).toEqual([]);
    // Another voice than the one picked for Tom by his id.
    const voice = defaultVoiceOf((tom?.id as number) + 1);
    await api.call("PATCH", `/api/v1/assets/${tom?.id}`, { voice });
    const stale = await api.call("POST", `/api/v1/projects/${id}/render`, { dry_run: true });
    expect(stale.body.plan.filter((s: { action: string }) => s.action !== "keep")).toEqual([
      { stage: "narration", storyboard_id: second?.id, action: "regenerate", reason: "stale" },
      { stage: "final_cut", action: "regenerate", reason: "narration" },
    ]);
    const again = await render();
    const redone = (await listProjectJobs(id)).filter((j) => j.parent_id === again.job_id);
    expect(redone.map((c) => c.type).sort()).toEqual(["compose_video", "generate_narration"]);
    const after = await withPrincipal(LOCAL_PRINCIPAL, () => projectNarration(id));
    expect(after.get(second?.id as number)).toMatchObject({
      stale: false,
      lines: [{ voice: defaultVoiceOf(mara?.id as number) }, { voice }],
    });
  }, 120_000);

  it("dry-runs a 30-shot project in at most 3 database round trips and 300 ms", async () => {
    const { api } = bench;
    const id = (await api.call("POST", "/api/v1/projects", { name: "thirty" })).body.id;
    await api.database.db.insert(storyboards).values(
      Array.from({ length: 30 }, (_, i) => ({
        projectId: id,
        position: i + 1,
        framePrompt: `shot ${i + 1}`,
        shotPrompt: "pan",
      })),
    );
    process.env.OWNER_BUDGET_USD = "100"; // the budget adds its reads: the worst case
    resetConfig();
    try {
      await api.call("POST", `/api/v1/projects/${id}/render`, { dry_run: true }); // warm
      const before = api.queries.length;
      const started = performance.now();
      const res = await api.call("POST", `/api/v1/projects/${id}/render`, { dry_run: true });
      const ms = performance.now() - started;
      expect(res.status).toBe(200);
      expect(res.body.plan.filter((s: { stage: string }) => s.stage === "videos")).toHaveLength(30);
      expect(res.body.budget).toMatchObject({ limit_usd: 100 });
      expect(api.queries.length - before).toBeLessThanOrEqual(3);
      expect(ms).toBeLessThan(300);
    } finally {
      delete process.env.OWNER_BUDGET_USD;
      resetConfig();
    }
  });
});
