import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryDatabase } from "../../test/support/app.ts";
import { subtitleTrack } from "../../test/support/media.ts";
import { LOCAL_PRINCIPAL, withPrincipal } from "../auth.ts";
import { db } from "../db/client.ts";
import { projects } from "../db/schema.ts";
import { currentCut } from "../export/store.ts";
import { ffmpeg, probe } from "../media/ffmpeg.ts";
import { streamsOf } from "../media/finish.ts";
import { planCut, timelineOf } from "../media/timeline.ts";
import { createProject } from "../projects.ts";
import type { NarrationClip } from "../speech/types.ts";
import { localKeyOf, localPath } from "../storage/local.ts";
import { finishFinalCut } from "./finish-cut.ts";

let dir: string;
let composed: string;

beforeAll(async () => {
  await memoryDatabase();
  dir = await mkdtemp(join(tmpdir(), "finish-cut-test-"));
  composed = join(dir, "composed.mp4");
  // Two 1.5 s shots as compose leaves them: H.264 + AAC, 64x36.
  await ffmpeg([
    ...["-f", "lavfi", "-i", "color=c=teal:s=64x36:r=24:d=3"],
    ...["-f", "lavfi", "-i", "sine=frequency=300:sample_rate=48000:duration=3"],
    ...["-c:v", "libx264", "-preset", "veryfast", "-c:a", "aac", "-shortest", composed],
  ]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const timeline = timelineOf(
  planCut(
    [
      { storyboard_id: 1, clipSeconds: 1.5, speechSeconds: 1 },
      { storyboard_id: 2, clipSeconds: 1.5, speechSeconds: 1.1 },
    ],
    { fps: 24 },
  ),
);

const line = (text: string, start: number, end: number) => ({
  speaker_asset_id: null,
  voice: "Kore",
  text,
  start,
  end,
});
const clipOf = (id: number, lines: NarrationClip["lines"]): NarrationClip => ({
  storyboard_id: id,
  version_id: 100 + id,
  url: `http://127.0.0.1:3000/files/n/${id}.wav`,
  duration_seconds: 1,
  lines,
  provider: "offline",
  model: "espeak-ng",
  stale: false,
});
const narration = new Map([
  [1, clipOf(1, [line("Hello there, harbour.", 0.1, 0.9)])],
  [
    2,
    clipOf(2, [
      line(
        "The lighthouse keeper climbed the stairs every night, counting each step as he went.",
        0,
        1.1,
      ),
    ]),
  ],
]);

async function finish(name: string, subtitles: boolean, spoken = narration) {
  const project = await withPrincipal(LOCAL_PRINCIPAL, () => createProject(name));
  const out = join(dir, `${name}.mp4`);
  await copyFile(composed, out);
  const boards = [1, 2].map((id) => ({
    id,
    position: id,
    shotVideoUrl: `http://127.0.0.1:3000/files/shots/${id}.mp4`,
    videoVersionId: 10 + id,
  }));
  const info = await probe(composed);
  const finished = await finishFinalCut({
    jobId: `job-${name}`,
    project,
    settings: { subtitles, music_url: null },
    boards,
    clips: [info, info],
    timeline,
    narration: spoken,
    size: { width: 64, height: 36 },
    out,
    workDir: dir,
  });
  return { project, out, finished };
}

const fileOf = (url: string | null) => localPath(localKeyOf(url as string) as string);

const ms = (tc: string) => {
  const [h, m, s] = tc.replace(",", ".").split(":").map(Number) as [number, number, number];
  return Math.round(((h * 60 + m) * 60 + s) * 1000);
};

describe("finishing the final cut", () => {
  it("with subtitles on: a mov_text track whose cues sit inside their shots, VTT and SRT beside it", async () => {
    const { out, finished } = await finish("on", true);
    expect(finished.result.subtitles).toEqual({ cues: 3, language: "eng", track: true });
    const { streams } = await streamsOf(out);
    const track = streams.find((s) => s.codec_type === "subtitle");
    expect(track).toMatchObject({ codec_name: "mov_text", tags: { language: "eng" } });
    const srt = await subtitleTrack(out);
    expect(srt).toContain("Hello there, harbour.");
    const times = [...srt.matchAll(/(\S+) --> (\S+)/g)].map((m) => [
      ms(m[1] as string),
      ms(m[2] as string),
    ]);
    expect(times).toHaveLength(3);
    // Shot 1 is 0–1.5 s, shot 2 1.5–3 s in the cut.
    expect(times[0]).toEqual([100, 900]);
    for (const [from, to] of times.slice(1)) {
      expect(from).toBeGreaterThanOrEqual(1500);
      expect(to).toBeLessThanOrEqual(3000);
    }
    const vtt = await readFile(fileOf(finished.result.subtitles_url), "utf8");
    expect(
      vtt.startsWith("WEBVTT\n\n1\n00:00:00.100 --> 00:00:00.900\nHello there, harbour."),
    ).toBe(true);
    const sub = await readFile(fileOf(finished.result.srt_url), "utf8");
    expect(sub.startsWith("1\n00:00:00,100 --> 00:00:00,900\n")).toBe(true);
  });

  it("with subtitles off: files for download, but no track in the MP4", async () => {
    const { out, finished } = await finish("off", false);
    expect(finished.result.subtitles.track).toBe(false);
    expect(finished.result.srt_url).toMatch(/\.srt$/);
    const { streams } = await streamsOf(out);
    expect(streams.map((s) => s.codec_type)).toEqual(["video", "audio"]);
  });

  it("without speech: no subtitles at all", async () => {
    const { out, finished } = await finish("silent", true, new Map());
    expect(finished.result).toMatchObject({ subtitles_url: null, srt_url: null });
    expect((await streamsOf(out)).streams.some((s) => s.codec_type === "subtitle")).toBe(false);
  });

  it("stores the soundtrack as an M4A as long as the cut", async () => {
    const { out, finished } = await finish("sound", true);
    const m4a = await streamsOf(fileOf(finished.result.audio_url));
    expect(m4a.streams.map((s) => [s.codec_type, s.codec_name])).toEqual([["audio", "aac"]]);
    expect(Math.abs(m4a.duration - (await streamsOf(out)).duration)).toBeLessThan(0.025);
  });

  it("keeps the timeline with the cut, for the export", async () => {
    const { project, finished } = await finish("kept", true);
    const url = "http://127.0.0.1:3000/files/projects/final/kept.mp4";
    await finished.keep(url);
    await (await db()).update(projects).set({ videoUrl: url }).where(eq(projects.id, project.id));
    const cut = await withPrincipal(LOCAL_PRINCIPAL, () => currentCut(project.id));
    expect(cut.shots.map((s) => [s.storyboard_id, s.start, s.end, s.video_version_id])).toEqual([
      [1, 0, 1.5, 11],
      [2, 1.5, 3, 12],
    ]);
    expect(cut.narration.map((n) => n.url)).toEqual([narration.get(1)?.url, narration.get(2)?.url]);
    expect(cut.cues).toHaveLength(3);
  });
});
