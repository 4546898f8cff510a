import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryDatabase } from "../../test/support/app.ts";
import { subtitleTrack, toneClip, toneFile } from "../../test/support/media.ts";
import { LOCAL_OWNER, withPrincipal } from "../auth.ts";
import type { Database } from "../db/client.ts";
import { projects, storyboards } from "../db/schema.ts";
import { exportCut } from "../export/formats.ts";
import { streamsOf } from "../media/finish.ts";
import { localKeyOf, localPath, writeLocalFile } from "../storage/local.ts";
import { recordVersion } from "../versions.ts";
import { runFinalCut } from "./final-cut.ts";
import type { Job } from "./types.ts";

/**
 * The final cut job end to end with its finishing step: subtitles from a shot's narration, the
 * soft subtitle track, the M4A soundtrack, and the export of the cut it made.
 */

let database: Database;
let dir: string;
const user = { owner: LOCAL_OWNER, admin: false };

beforeAll(async () => {
  database = await memoryDatabase();
  dir = await mkdtemp(join(tmpdir(), "final-cut-finish-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const job = (projectId: number, n: number): Job => ({
  job_id: `finish-${projectId}-${n}`,
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

/** Two 1 s shots; the second narrates a line long enough to be split into two cues. */
async function narratedProject(settings: Record<string, unknown>) {
  const [project] = await database.db
    .insert(projects)
    .values({ name: "Finished film", settings: { narration: true, ...settings } })
    .returning();
  const projectId = project?.id as number;
  const boards = await database.db
    .insert(storyboards)
    .values([1, 2].map((position) => ({ projectId, position })))
    .returning();
  for (const [i, board] of boards.entries()) {
    const path = await toneClip(dir, `clip-${projectId}-${i}`, {
      color: "gray",
      hz: 220,
      seconds: 1,
    });
    await recordVersion({
      projectId,
      storyboardId: board.id,
      kind: "video",
      url: await writeLocalFile(`test/finish/${projectId}-${i}.mp4`, await readFile(path)),
      source: "generated",
      provenance: {},
    });
  }
  const speech = await toneFile(dir, `speech-${projectId}`, { hz: 1000, seconds: 0.8 });
  await recordVersion({
    projectId,
    storyboardId: boards[1]?.id as number,
    kind: "narration",
    url: await writeLocalFile(`test/finish/${projectId}-speech.wav`, await readFile(speech)),
    source: "generated",
    provenance: {
      duration_seconds: 0.8,
      lines: [
        {
          speaker_asset_id: null,
          voice: "Kore",
          text: "The keeper climbed the stairs every night, counting each step as he went, because his father taught him so.",
          start: 0.05,
          end: 0.75,
        },
      ],
    },
  });
  return { projectId, boards };
}

const fileOf = (url: unknown) => localPath(localKeyOf(url as string) as string);

async function cueTimes(mp4: string) {
  const srt = await subtitleTrack(mp4);
  const seconds = (tc: string) => {
    const [h, m, s] = tc.replace(",", ".").split(":").map(Number) as [number, number, number];
    return (h * 60 + m) * 60 + s;
  };
  return [...srt.matchAll(/(\S+) --> (\S+)/g)].map((m) => [
    seconds(m[1] as string),
    seconds(m[2] as string),
  ]);
}

describe("final cut with its finishing", () => {
  it("adds subtitles, a mov_text track inside the speaking shot's window, the M4A, and an export", async () => {
    const { projectId, boards } = await narratedProject({
      subtitles: true,
      transition: "dissolve",
    });
    const outcome = await withPrincipal(user, () => runFinalCut(job(projectId, 1), async () => {}));
    const result = (outcome as { result: Record<string, unknown> }).result;
    expect(result).toMatchObject({
      subtitles_url: expect.stringMatching(/\.vtt$/),
      srt_url: expect.stringMatching(/\.srt$/),
      audio_url: expect.stringMatching(/\.m4a$/),
      subtitles: { cues: 2, language: "eng", track: true },
    });
    const mp4 = fileOf(result.video_url);
    const { streams, duration } = await streamsOf(mp4);
    expect(streams.map((s) => s.codec_name)).toEqual(["h264", "aac", "mov_text"]);
    // Every cue inside the second shot's window of the cut (after the dissolve).
    const timeline = result.timeline as { shots: { start: number; end: number }[] };
    const window = timeline.shots[1] as { start: number; end: number };
    const times = await cueTimes(mp4);
    expect(times).toHaveLength(2);
    for (const [from, to] of times) {
      expect(from).toBeGreaterThanOrEqual(window.start);
      expect(to).toBeLessThanOrEqual(window.end);
    }
    // The soundtrack, as long as the cut.
    const m4a = await streamsOf(fileOf(result.audio_url));
    expect(m4a.streams.map((s) => s.codec_name)).toEqual(["aac"]);
    expect(Math.abs(m4a.duration - duration)).toBeLessThan(0.025);
    expect(await readFile(fileOf(result.subtitles_url), "utf8")).toMatch(/^WEBVTT\n\n1\n00:00:0/);

    // The export describes this cut: both shots in order (the second held under its speech),
    // the narration on its lane.
    const otio = JSON.parse((await withPrincipal(user, () => exportCut(projectId, "otio"))).body);
    const video = otio.tracks.children[0].children as {
      OTIO_SCHEMA: string;
      name: string;
      metadata: { storyboard: { storyboard_id: number } };
    }[];
    const clips = video.filter((c) => c.OTIO_SCHEMA === "Clip.2");
    expect(clips.map((c) => [c.name, c.metadata.storyboard.storyboard_id])).toEqual([
      ["Shot 1", boards[0]?.id],
      ["Shot 2", boards[1]?.id],
      ["Shot 2 (hold)", boards[1]?.id],
    ]);
    expect(video.some((c) => c.OTIO_SCHEMA === "Transition.1")).toBe(true);
    expect(
      otio.tracks.children[1].children.some((c: { name: string }) => c.name === "Narration 2"),
    ).toBe(true);
    const vtt = await withPrincipal(user, () => exportCut(projectId, "vtt"));
    expect(vtt.body).toBe(await readFile(fileOf(result.subtitles_url), "utf8"));
  });

  it("has no subtitle track when subtitles are off, and still stores the files", async () => {
    const { projectId } = await narratedProject({ subtitles: false });
    const outcome = await withPrincipal(user, () => runFinalCut(job(projectId, 2), async () => {}));
    const result = (outcome as { result: Record<string, unknown> }).result;
    expect(result).toMatchObject({ subtitles: { track: false }, srt_url: expect.any(String) });
    const { streams } = await streamsOf(fileOf(result.video_url));
    expect(streams.map((s) => s.codec_type)).toEqual(["video", "audio"]);
    const [project] = await database.db.select().from(projects).where(eq(projects.id, projectId));
    expect(project?.videoUrl).toBe(result.video_url);
  });
});
