import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, asc, eq, isNull } from "drizzle-orm";
import { db } from "../db/client.ts";
import { projects, storyboards } from "../db/schema.ts";
import { composeFilm, type FilmShot } from "../media/compose.ts";
import { probe } from "../media/ffmpeg.ts";
import { requireLiveProject } from "../projects.ts";
import { frameSizeOf, settingsOf } from "../settings.ts";
import { projectNarration } from "../speech/clips.ts";
import type { NarrationClip } from "../speech/types.ts";
import { finalCutInputsOf } from "../staleness.ts";
import { downloadToFile } from "../storage/download.ts";
import { storageProvider } from "../storage/index.ts";
import { storedProbes, transitionInto } from "./cut-sources.ts";
import { finishFinalCut } from "./finish-cut.ts";
import { JobFailure, type Outcome, type StepContext } from "./outcome.ts";
import { type Report, throttledProgress } from "./progress.ts";
import type { Job } from "./types.ts";

export async function projectClips(projectId: number) {
  const boards = await (await db())
    .select()
    .from(storyboards)
    .where(eq(storyboards.projectId, projectId))
    .orderBy(asc(storyboards.position), asc(storyboards.id));
  return {
    boards,
    withVideo: boards.filter((b) => b.shotVideoUrl),
    skipped: boards.filter((b) => !b.shotVideoUrl).map((b) => b.id),
  };
}

/** Largest clip fetched for the final cut; Veo clips are a few MB. */
const MAX_CLIP_BYTES = 512 * 1024 * 1024;
/** Largest speech clip or music file fetched for the final cut. */
const MAX_SOUND_BYTES = 100 * 1024 * 1024;

/** Where the progress bar stands at the end of each phase (100 is the worker's, on success). */
const DOWNLOADED = 40;
const COMPOSED = 90;
const UPLOADED = 99;

/**
 * Final cut: every shot video in storyboard order with its transition, its narration (when the
 * project's narration is on) and the project's music, composed (core/media/compose.ts), stored,
 * linked from the project. Clips and the output only ever live on disk (streamed down, handed to
 * storage as a file), and progress is reported throughout so a long cut is not taken for a lost
 * one by the sweeper.
 */
export async function runFinalCut(
  job: Job,
  report: Report,
  step?: Pick<StepContext, "holdLease">,
): Promise<Outcome> {
  const project = await requireLiveProject(job.project_id);
  // What the cut is made from, kept with it: the cut is stale once this differs from the present.
  const { boards, withVideo, skipped } = await projectClips(job.project_id);
  if (withVideo.length === 0) {
    throw new JobFailure({
      code: "no_videos",
      message: `项目 ${job.project_id} 的分镜都没有生成视频`,
    });
  }
  // A redelivered cut starts over, and so does its progress.
  const progress = throttledProgress(report);
  const dir = await mkdtemp(join(tmpdir(), "final-cut-"));
  try {
    const settings = settingsOf(project.settings);
    const [probes, narration] = await Promise.all([
      storedProbes(withVideo),
      settings.narration ? projectNarration(job.project_id) : new Map<number, NarrationClip>(),
    ]);
    // Everything the cut is made of, fetched one after another (each a share of the bar).
    const downloads: { url: string; file: string; sound?: boolean }[] = [
      ...withVideo.map((b, i) => ({ url: b.shotVideoUrl as string, file: `clip-${i}.mp4` })),
      ...withVideo.flatMap((b, i) => {
        const clip = narration.get(b.id);
        return clip ? [{ url: clip.url, file: `speech-${i}`, sound: true }] : [];
      }),
      ...(settings.music_url ? [{ url: settings.music_url, file: "music", sound: true }] : []),
    ];
    for (const [i, d] of downloads.entries()) {
      const share = progress.phase(
        (DOWNLOADED * i) / downloads.length,
        (DOWNLOADED * (i + 1)) / downloads.length,
      );
      await downloadToFile(d.url, join(dir, d.file), {
        accept: d.sound ? "audio" : "video",
        maxBytes: d.sound ? MAX_SOUND_BYTES : MAX_CLIP_BYTES,
        onProgress: (received, total) => {
          if (total) share(received / total);
        },
      });
      share(1);
    }
    await progress.settle();
    const shots: FilmShot[] = withVideo.map((board, i) => {
      const clip = narration.get(board.id);
      return {
        storyboard_id: board.id,
        path: join(dir, `clip-${i}.mp4`),
        info: probes.get(board.id),
        transition: transitionInto(board, settings),
        ...(clip
          ? {
              sound: {
                speechPath: join(dir, `speech-${i}`),
                // The clip's own measure of its speech, else it is measured.
                ...(clip.duration_seconds > 0 ? { speechSeconds: clip.duration_seconds } : {}),
              },
            }
          : {}),
      };
    });
    // The project's settings set the frame (aspect ratio and resolution); the first clip sets
    // the frame rate. Clips already at that size and matching each other are joined as they are.
    const first = probes.get(withVideo[0]?.id as number) ?? (await probe(shots[0]?.path as string));
    const [num = 24, den = 1] = first.video.frameRate.split("/").map(Number);
    const fps = Math.round(num / (den || 1)) || 24;
    const size = frameSizeOf(settings);
    const out = join(dir, "final.mp4");
    const cut = await composeFilm(shots, {
      out,
      workDir: dir,
      target: { ...size, fps },
      loudnessLufs: settings.loudness_lufs,
      ...(settings.music_url ? { musicPath: join(dir, "music") } : {}),
      onProgress: progress.phase(DOWNLOADED, COMPOSED),
    });
    progress.set(COMPOSED);
    await progress.settle();
    // ── Finishing (core/jobs/finish-cut.ts): subtitles, soft subtitle track, M4A soundtrack ──
    const finished = await finishFinalCut({
      jobId: job.job_id,
      project,
      settings,
      boards: withVideo,
      clips: cut.clips,
      timeline: cut.timeline,
      narration,
      size,
      out,
      workDir: dir,
      ...(settings.music_url ? { musicPath: join(dir, "music") } : {}),
      holdLease: async () => step?.holdLease(),
    });
    // ── end of finishing ──
    // Only the worker that still owns the step stores the cut and links it.
    await step?.holdLease();
    const storage = await storageProvider();
    const uploaded = progress.phase(COMPOSED, UPLOADED);
    const url = await storage.putFile(
      `projects/${job.project_id}/final/${job.job_id}.mp4`,
      out,
      "video/mp4",
      (sent, total) => uploaded(sent / (total || 1)),
    );
    progress.set(UPLOADED);
    await progress.settle();
    await step?.holdLease();
    await (await db())
      .update(projects)
      .set({ videoUrl: url, finalCutInputs: finalCutInputsOf(project, boards) })
      .where(and(eq(projects.id, job.project_id), isNull(projects.deletedAt)));
    await finished.keep(url); // the cut's timeline, for GET /projects/{id}/export
    return {
      kind: "done",
      result: {
        video_url: url,
        method: cut.method,
        sound: cut.sound,
        loudness: cut.loudness,
        timeline: cut.timeline,
        clips_probed: cut.probed,
        width: cut.output.video.width,
        height: cut.output.video.height,
        aspect_ratio: settings.aspect_ratio,
        resolution: settings.resolution,
        duration: cut.duration,
        size_bytes: cut.output.sizeBytes,
        clips: cut.clips.map((c, i) => ({
          storyboard_id: withVideo[i]?.id,
          duration: c.duration,
          width: c.video.width,
          height: c.video.height,
          video_codec: c.video.codec,
          audio_codec: c.audio?.codec ?? null,
        })),
        skipped_storyboard_ids: skipped,
        ...finished.result, // subtitles_url, srt_url, audio_url, subtitles
      },
    };
  } finally {
    // No progress write may land after the job's final state; a failed one was thrown above.
    await progress.settle().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}
