import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Project, Storyboard } from "../db/schema.ts";
import { keepCut } from "../export/store.ts";
import { cutExportOf } from "../export/timeline.ts";
import type { ClipInfo } from "../media/ffmpeg.ts";
import { extractAudio, finishCut, streamsOf } from "../media/finish.ts";
import type { CutTimeline } from "../media/timeline.ts";
import type { ProjectSettings } from "../settings.ts";
import type { NarrationClip } from "../speech/types.ts";
import { storageProvider } from "../storage/index.ts";
import { cuesOf } from "../subtitles/cues.ts";
import { toSrt, toWebVtt } from "../subtitles/formats.ts";
import { languageOf } from "../subtitles/script.ts";

export interface FinishInput {
  jobId: string;
  project: Pick<Project, "id" | "name">;
  settings: Pick<ProjectSettings, "subtitles" | "music_url">;
  /** The shots of the cut, in its order, with the clip each one played. */
  boards: Pick<Storyboard, "id" | "position" | "shotVideoUrl" | "videoVersionId">[];
  clips: ClipInfo[];
  timeline: CutTimeline;
  narration: Map<number, NarrationClip>;
  size: { width: number; height: number };
  /** The composed MP4: replaced in place by the finished one. */
  out: string;
  workDir: string;
  /** The music file as downloaded, to learn its length for the music lane. */
  musicPath?: string;
  /** Checked before anything is stored: only the worker that owns the step stores. */
  holdLease?: () => Promise<void>;
}

export interface FinishedCut {
  /** What the compose_video / render_film result adds (CONTRACT, "Sound, subtitles, export"). */
  result: {
    subtitles_url: string | null;
    srt_url: string | null;
    audio_url: string | null;
    subtitles: { cues: number; language: string; track: boolean };
  };
  /** Keeps the cut's timeline with it once the cut is stored at `url` (core/export/store.ts). */
  keep(url: string): Promise<void>;
}

/**
 * What the final cut gets once it is composed: subtitles from the spoken lines at their real
 * times in the cut (WebVTT and SubRip, stored beside it), a soft subtitle track in the MP4 when
 * the project's `subtitles` is on, the soundtrack as an M4A, and the timeline the exports read.
 * No cue (nothing spoken) means no subtitle files and no track.
 */
export async function finishFinalCut(i: FinishInput): Promise<FinishedCut> {
  const cues = cuesOf(
    i.timeline.shots.map((shot) => ({
      storyboard_id: shot.storyboard_id,
      start: shot.start,
      end: shot.end,
      speech_start: shot.speech?.start ?? shot.start,
      lines: i.narration.get(shot.storyboard_id)?.lines ?? [],
    })),
  );
  const language = languageOf(cues.flatMap((c) => c.lines).join(" "));
  const vtt = join(i.workDir, "subtitles.vtt");
  const srt = join(i.workDir, "subtitles.srt");
  if (cues.length > 0) {
    await writeFile(vtt, toWebVtt(cues));
    await writeFile(srt, toSrt(cues));
  }
  const track = i.settings.subtitles && cues.length > 0;
  if (track) {
    const finished = join(i.workDir, "finished.mp4");
    await finishCut({ video: i.out, out: finished, subtitlesVtt: vtt, language });
    await rename(finished, i.out);
  }
  const audio = await extractAudio(i.out, join(i.workDir, "soundtrack.m4a"));
  const musicSeconds = i.musicPath ? (await streamsOf(i.musicPath)).duration || null : null;

  await i.holdLease?.();
  const storage = await storageProvider();
  const base = `projects/${i.project.id}/final/${i.jobId}`;
  const subtitles_url =
    cues.length > 0 ? await storage.putFile(`${base}.vtt`, vtt, "text/vtt") : null;
  const srt_url =
    cues.length > 0 ? await storage.putFile(`${base}.srt`, srt, "application/x-subrip") : null;
  const audio_url = audio ? await storage.putFile(`${base}.m4a`, audio.path, "audio/mp4") : null;

  const cut = cutExportOf({
    project: i.project,
    timeline: i.timeline,
    size: i.size,
    media: new Map(
      i.boards.map((board, n) => [
        board.id,
        {
          position: board.position,
          url: board.shotVideoUrl as string,
          video_version_id: board.videoVersionId ?? null,
          media_duration: i.clips[n]?.duration ?? 0,
          width: i.clips[n]?.video.width,
          height: i.clips[n]?.video.height,
          has_audio: Boolean(i.clips[n]?.audio),
        },
      ]),
    ),
    narration: i.narration,
    music: i.settings.music_url
      ? { url: i.settings.music_url, media_duration: musicSeconds }
      : null,
    cues,
    language,
  });
  const files = { job_id: i.jobId, subtitles_url, srt_url, audio_url };
  return {
    result: {
      subtitles_url,
      srt_url,
      audio_url,
      subtitles: { cues: cues.length, language, track },
    },
    keep: (url) => keepCut(url, cut, files),
  };
}
