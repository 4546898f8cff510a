import type { CutShot, CutTimeline } from "../media/timeline.ts";
import type { Cue } from "../subtitles/cues.ts";

/**
 * The timeline of a finished cut as editing software needs it: which file plays where, which
 * part of it, how the shots meet, and the narration and music beside the picture. It is kept
 * with the cut when the cut is made (core/export/store.ts), so an export always describes the
 * cut that exists, not the project as it has been edited since.
 */

/** What the cut knows about each shot's clip, beyond the timeline. */
export interface ShotMedia {
  /** The shot's position in the project when the cut was made (1-based). */
  position: number;
  /** The shot video as the cut used it (the current video version then). */
  url: string;
  video_version_id: number | null;
  /** Length of the whole clip file, and its frame size and sound when known. */
  media_duration: number;
  width?: number;
  height?: number;
  has_audio?: boolean;
}

/**
 * A shot of the exported cut: its clip, and where it sits in the cut in seconds as the timeline
 * (core/media) placed it; the speech is exported as a narration lane instead.
 */
export interface ExportShot extends ShotMedia, Omit<CutShot, "speech"> {
  name: string;
}

/** A sound file placed on a lane under the picture. */
export interface ExportAudio {
  name: string;
  url: string;
  storyboard_id?: number;
  /** Where it starts in the cut, how long it plays, and from where in the file. */
  start: number;
  duration: number;
  source_start: number;
  /** Length of the file when known. */
  media_duration: number | null;
}

export interface CutExport {
  version: 1;
  project_id: number;
  name: string;
  fps: number;
  width: number;
  height: number;
  duration: number;
  shots: ExportShot[];
  narration: ExportAudio[];
  music: ExportAudio[];
  cues: Cue[];
  /** ISO 639-2 code of the subtitles. */
  language: string;
}

export interface CutExportInput {
  project: { id: number; name: string };
  timeline: CutTimeline;
  size: { width: number; height: number };
  media: Map<number, ShotMedia>;
  /** Each shot's narration clip (core/speech), placed where the timeline puts its speech. */
  narration: Map<number, { url: string; duration_seconds: number }>;
  music: { url: string; media_duration: number | null } | null;
  cues: Cue[];
  language: string;
}

const round = (seconds: number) => Math.round(seconds * 1e6) / 1e6;

/** Music under the whole cut: the file once, or looped end to end when it is shorter. */
function musicLane(music: CutExportInput["music"], duration: number): ExportAudio[] {
  if (!music) return [];
  const length =
    music.media_duration && music.media_duration > 0.1 ? music.media_duration : duration;
  const lane: ExportAudio[] = [];
  for (let at = 0, n = 1; at < duration - 1e-6; at += length, n++) {
    lane.push({
      name: n === 1 ? "Music" : `Music ${n}`,
      url: music.url,
      start: round(at),
      duration: round(Math.min(length, duration - at)),
      source_start: 0,
      media_duration: music.media_duration,
    });
  }
  return lane;
}

export function cutExportOf(input: CutExportInput): CutExport {
  const { timeline } = input;
  const shots = timeline.shots.map((shot): ExportShot => {
    const media = input.media.get(shot.storyboard_id);
    if (!media) throw new Error(`no clip for storyboard ${shot.storyboard_id} in the cut`);
    return {
      storyboard_id: shot.storyboard_id,
      position: media.position,
      name: `Shot ${media.position}`,
      url: media.url,
      video_version_id: media.video_version_id,
      media_duration: media.media_duration,
      ...(media.width ? { width: media.width, height: media.height } : {}),
      ...(media.has_audio === undefined ? {} : { has_audio: media.has_audio }),
      start: shot.start,
      end: shot.end,
      clip_start: shot.clip_start,
      clip_duration: shot.clip_duration,
      hold_seconds: shot.hold_seconds,
      transition_in: shot.transition_in,
      transition_seconds: shot.transition_seconds,
    };
  });
  const narration = timeline.shots.flatMap((shot): ExportAudio[] => {
    const clip = input.narration.get(shot.storyboard_id);
    if (!clip || clip.duration_seconds <= 0) return [];
    const start = shot.speech?.start ?? shot.start;
    const position = input.media.get(shot.storyboard_id)?.position ?? 0;
    return [
      {
        name: `Narration ${position}`,
        url: clip.url,
        storyboard_id: shot.storyboard_id,
        start,
        // Never past the shot: the cut ends a shot's speech inside it.
        duration: round(Math.min(clip.duration_seconds, shot.end - start)),
        source_start: 0,
        media_duration: clip.duration_seconds,
      },
    ];
  });
  return {
    version: 1,
    project_id: input.project.id,
    name: input.project.name,
    fps: timeline.fps,
    width: input.size.width,
    height: input.size.height,
    duration: timeline.duration,
    shots,
    narration,
    music: musicLane(input.music, timeline.duration),
    cues: input.cues,
    language: input.language,
  };
}
