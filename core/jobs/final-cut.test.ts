import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryDatabase } from "../../test/support/app.ts";
import { bandLevel, toneClip, toneFile } from "../../test/support/media.ts";
import { LOCAL_OWNER, withPrincipal } from "../auth.ts";
import { config } from "../config.ts";
import type { Database } from "../db/client.ts";
import { projects, storyboards } from "../db/schema.ts";
import { stillToClip } from "../media/clip.ts";
import { probe } from "../media/ffmpeg.ts";
import { measureLoudness } from "../media/loudness.ts";
import { createProviders, useProviders } from "../providers/index.ts";
import { renderCard } from "../providers/offline/card.ts";
import { localStorage, writeLocalFile } from "../storage/local.ts";
import { recordVersion } from "../versions.ts";
import { runFinalCut } from "./final-cut.ts";
import { LeaseLost } from "./outcome.ts";
import type { Job } from "./types.ts";

let database: Database;
let dir: string;
/** What storage was handed: a path on disk, and how large that file was at the time. */
const handed: { key: string; path: string; size: number }[] = [];

beforeAll(async () => {
  database = await memoryDatabase();
  dir = await mkdtemp(join(tmpdir(), "final-cut-test-"));
  const local = localStorage();
  useProviders({
    ...(await createProviders(config())),
    storage: {
      name: "recording",
      put: async () => {
        throw new Error("the final cut must hand storage a file, never the video's bytes");
      },
      putFile: async (key, path, mimeType, onProgress) => {
        handed.push({ key, path, size: (await stat(path)).size });
        return local.putFile(key, path, mimeType, onProgress);
      },
    },
  });
});
afterAll(async () => {
  useProviders(undefined);
  await rm(dir, { recursive: true, force: true });
});

/** A tiny real shot video (1 s), stored the way a finished shot-video job stores it. */
async function storedClip(name: string, width: number, height: number) {
  const still = join(dir, `${name}.png`);
  await writeFile(
    still,
    renderCard({ width, height, title: name, prompt: "", label: "", seed: name }),
  );
  const clip = join(dir, `${name}.mp4`);
  await stillToClip(still, clip, { width, height, seconds: 1 });
  return writeLocalFile(`test/final-cut/${name}.mp4`, await readFile(clip));
}

async function projectWithClips(urls: string[], settings: Record<string, unknown> = {}) {
  const [project] = await database.db
    .insert(projects)
    .values({ name: "cut", settings })
    .returning();
  const projectId = project?.id as number;
  await database.db
    .insert(storyboards)
    .values(urls.map((url, position) => ({ projectId, position, shotVideoUrl: url })));
  return projectId;
}

const job = (projectId: number): Job => ({
  job_id: `cut-${projectId}`,
  type: "compose_video",
  status: "running",
  progress: 0,
  project_id: projectId,
  input: {},
  attempts: 1,
  created_at: new Date().toISOString(),
  updated_at: new Date().toISOString(),
  expires_at: 0,
});

describe("final cut job", () => {
  it("reports rising progress through download, encode and upload, and hands storage a file", async () => {
    const urls = [
      await storedClip("wide", 64, 36),
      await storedClip("other", 48, 36),
      await storedClip("third", 64, 36),
    ];
    // A portrait project: the cut is made at its size, whatever the clips' own.
    const projectId = await projectWithClips(urls, { aspect_ratio: "9:16", resolution: "720p" });
    const reported: number[] = [];
    const outcome = await withPrincipal({ owner: LOCAL_OWNER, admin: false }, () =>
      runFinalCut(job(projectId), async (progress) => {
        reported.push(progress);
      }),
    );
    expect(outcome).toMatchObject({
      kind: "done",
      result: { method: "encode", width: 720, height: 1280, aspect_ratio: "9:16" },
    });
    // Several writes, each higher than the last, the last one before the worker's 100.
    expect(reported.length).toBeGreaterThanOrEqual(4);
    expect(reported).toEqual([...new Set(reported)].sort((a, b) => a - b));
    expect(reported.at(-1)).toBe(99);
    expect(reported.some((p) => p <= 40)).toBe(true); // downloads
    expect(reported.some((p) => p > 40 && p <= 90)).toBe(true); // the encode
    expect(reported.some((p) => p > 90)).toBe(true); // the upload

    // The output went to storage as a file on disk, and is what the project now links to (its
    // soundtrack as an M4A beside it: finish-cut.ts).
    expect(handed.map((h) => h.key)).toContain(`projects/${projectId}/final/cut-${projectId}.m4a`);
    const cutFiles = handed.filter((h) => h.key.endsWith(".mp4"));
    expect(cutFiles).toEqual([
      {
        key: `projects/${projectId}/final/cut-${projectId}.mp4`,
        path: expect.stringMatching(/final\.mp4$/),
        size: expect.any(Number),
      },
    ]);
    const url = outcome.kind === "done" ? outcome.result.video_url : undefined;
    const [project] = await database.db.select().from(projects).where(eq(projects.id, projectId));
    expect(project?.videoUrl).toBe(url);
    const stored = join(
      config().DATA_DIR,
      "files",
      `projects/${projectId}/final/cut-${projectId}.mp4`,
    );
    const info = await probe(stored);
    expect(info.sizeBytes).toBe(cutFiles[0]?.size);
    expect(info.video).toMatchObject({ width: 720, height: 1280, frameRate: "24/1" });
    expect(info.duration).toBeGreaterThan(2.8);
    expect(info.duration).toBeLessThan(3.4);
  });

  it("joins clips as they are only when they already have the project's frame size", async () => {
    const hd = [await storedClip("hd-1", 1280, 720), await storedClip("hd-2", 1280, 720)];
    const run = (projectId: number) =>
      withPrincipal({ owner: LOCAL_OWNER, admin: false }, () =>
        runFinalCut(job(projectId), async () => {}),
      );
    // Default settings: 16:9 at 720p is exactly these clips' size.
    expect(await run(await projectWithClips(hd))).toMatchObject({
      result: { method: "copy", width: 1280, height: 720 },
    });
    // The same matching clips in a square project are fitted to 720x720 and encoded once.
    expect(await run(await projectWithClips(hd, { aspect_ratio: "1:1" }))).toMatchObject({
      result: { method: "encode", width: 720, height: 720 },
    });
  });

  it("stores and links nothing when the worker no longer owns the step", async () => {
    const projectId = await projectWithClips([await storedClip("late", 64, 36)]);
    const before = handed.length;
    const lost = {
      holdLease: async () => {
        throw new LeaseLost("another worker took it");
      },
    };
    await expect(
      withPrincipal({ owner: LOCAL_OWNER, admin: false }, () =>
        runFinalCut(job(projectId), async () => {}, lost),
      ),
    ).rejects.toBeInstanceOf(LeaseLost);
    expect(handed.length).toBe(before);
    const [project] = await database.db.select().from(projects).where(eq(projects.id, projectId));
    expect(project?.videoUrl).toBeNull();
  });

  it("mixes narration and music over the clips, with stored probes and each shot's transition", async () => {
    const size = "1280x720"; // the default project's frame: the picture can be copied
    const clips = await Promise.all(
      ["n-1", "n-2"].map(async (name) => {
        const path = await toneClip(dir, name, { color: "gray", hz: 220, seconds: 1, size });
        return {
          path,
          url: await writeLocalFile(`test/final-cut/${name}.mp4`, await readFile(path)),
        };
      }),
    );
    const speech = await toneFile(dir, "n-speech", { hz: 1000, seconds: 0.6 });
    const music = await toneFile(dir, "n-music", { hz: 3000, seconds: 0.5 });
    const musicUrl = await writeLocalFile("test/final-cut/music.wav", await readFile(music));
    const speechUrl = await writeLocalFile("test/final-cut/speech.wav", await readFile(speech));
    const settings = { narration: true, music_url: musicUrl, loudness_lufs: -18 };
    const [project] = await database.db
      .insert(projects)
      .values({ name: "sound", settings })
      .returning();
    const projectId = project?.id as number;
    const boards = await database.db
      .insert(storyboards)
      .values([1, 2].map((position) => ({ projectId, position })))
      .returning();
    for (const [i, board] of boards.entries()) {
      const clip = clips[i] as (typeof clips)[0];
      // As a finished shot video records it: the probe made once, kept with the version.
      await recordVersion({
        projectId,
        storyboardId: board.id,
        kind: "video",
        url: clip.url,
        source: "generated",
        provenance: { media: await probe(clip.path) },
      });
    }
    await recordVersion({
      projectId,
      storyboardId: boards[0]?.id as number,
      kind: "narration",
      url: speechUrl,
      source: "generated",
      provenance: {
        duration_seconds: 0.6,
        lines: [{ speaker_asset_id: null, voice: "Kore", text: "Hello.", start: 0, end: 0.6 }],
      },
    });
    const run = () =>
      withPrincipal({ owner: LOCAL_OWNER, admin: false }, () =>
        runFinalCut(job(projectId), async () => {}),
      );
    const copied = await run();
    expect(copied).toMatchObject({
      kind: "done",
      result: { method: "copy", sound: "mixed", clips_probed: 0 },
    });
    const result = (copied as { result: Record<string, unknown> }).result;
    const stored = join(
      config().DATA_DIR,
      "files",
      `projects/${projectId}/final/cut-${projectId}.mp4`,
    );
    const measured = await measureLoudness(stored);
    expect(Math.abs(measured.integrated_lufs + 18)).toBeLessThanOrEqual(1);
    expect(measured.true_peak_dbtp).toBeLessThanOrEqual(-1);
    expect(result.loudness).toEqual({
      integrated_lufs: expect.closeTo(measured.integrated_lufs, 0),
      true_peak_dbtp: expect.closeTo(measured.true_peak_dbtp, 0),
    });
    expect(result.timeline).toMatchObject({
      duration: 2,
      shots: [
        { storyboard_id: boards[0]?.id, start: 0, end: 1, speech: { start: 0, end: 0.6 } },
        { storyboard_id: boards[1]?.id, start: 1, end: 2, speech: null },
      ],
    });
    expect(await bandLevel(stored, 1000, 0.1, 0.5)).toBeGreaterThan(-35);
    expect(await bandLevel(stored, 3000, 1.2, 1.6)).toBeGreaterThan(-50);

    // The project's transition applies where a shot keeps the default cut; a shot's own wins.
    await database.db
      .update(projects)
      .set({ settings: { ...settings, transition: "fade" } })
      .where(eq(projects.id, projectId));
    const faded = await run();
    expect(faded).toMatchObject({ result: { method: "encode", sound: "mixed" } });
    expect(faded).toMatchObject({
      result: { timeline: { shots: [{ transition_in: "cut" }, { transition_in: "fade" }] } },
    });
    await database.db
      .update(storyboards)
      .set({ transition: "dissolve" })
      .where(eq(storyboards.id, boards[1]?.id as number));
    expect(await run()).toMatchObject({
      result: { timeline: { shots: [{ transition_in: "cut" }, { transition_in: "dissolve" }] } },
    });
  });
});
