import type { Transition } from "../media/timeline.ts";
import type { CutExport, ExportShot } from "./timeline.ts";

/**
 * The cut as an editor lays it out, in whole frames. Editing software puts clips end to end at
 * edit points and lets a transition overlap both sides of one through media beyond the edit
 * (handles): a dissolve's edit point is the middle of the overlap the cut rendered, and a fade
 * through black is centred on the point where one shot ends and the next begins.
 */
export interface Edit {
  shot: ExportShot;
  /** The shot's window in the cut (frames). */
  start: number;
  end: number;
  /** The part of the record timeline this clip owns between its edit points. */
  editIn: number;
  editOut: number;
  /** Frames of the clip that play, and of its last frame held after them. */
  clipFrames: number;
  holdFrames: number;
  clipStart: number;
  /** The transition into this shot, on the record timeline. */
  transition: { kind: Exclude<Transition, "cut">; start: number; end: number } | null;
}

export const framesOf = (seconds: number, fps: number) => Math.round(seconds * fps);

export function editsOf(cut: CutExport): Edit[] {
  const f = (s: number) => framesOf(s, cut.fps);
  const edits = cut.shots.map((shot, i): Edit => {
    const start = f(shot.start);
    const previousEnd = i > 0 ? f((cut.shots[i - 1] as ExportShot).end) : start;
    const frames = f(shot.transition_seconds);
    let editIn = start;
    let transition: Edit["transition"] = null;
    if (i > 0 && shot.transition_in === "dissolve" && previousEnd > start) {
      editIn = start + Math.floor((previousEnd - start) / 2);
      transition = { kind: "dissolve", start, end: previousEnd };
    } else if (i > 0 && shot.transition_in === "fade" && frames > 0) {
      // Through black: the first half fades the last shot out, the second fades this one in.
      const out = Math.floor(frames / 2);
      transition = { kind: "fade", start: start - out, end: start + (frames - out) };
    }
    return {
      shot,
      start,
      end: f(shot.end),
      editIn,
      editOut: 0,
      clipFrames: f(shot.clip_duration),
      holdFrames: f(shot.hold_seconds),
      clipStart: f(shot.clip_start),
      transition,
    };
  });
  edits.forEach((edit, i) => {
    edit.editOut = edits[i + 1]?.editIn ?? edit.end;
  });
  return edits;
}

/** The frame of the clip file shown at a record frame of the shot: held on its last frame. */
export const sourceFrameAt = (edit: Edit, record: number) =>
  edit.clipStart + Math.min(Math.max(0, record - edit.start), Math.max(0, edit.clipFrames - 1));

/** One media file of the cut: a shot's clip, a narration line or the music. */
export interface MediaFile {
  url: string;
  kind: "video" | "narration" | "music";
  name: string;
  duration: number | null;
  shot?: ExportShot;
}

/** Gathers the distinct media files of the cut, in first-use order. */
export function mediaOf(cut: CutExport): MediaFile[] {
  const files = new Map<string, MediaFile>();
  const add = (file: MediaFile) => {
    if (!files.has(file.url)) files.set(file.url, file);
  };
  for (const shot of cut.shots) {
    add({ url: shot.url, kind: "video", name: shot.name, duration: shot.media_duration, shot });
  }
  for (const clip of cut.narration) {
    add({ url: clip.url, kind: "narration", name: clip.name, duration: clip.media_duration });
  }
  for (const clip of cut.music) {
    add({ url: clip.url, kind: "music", name: "Music", duration: clip.media_duration });
  }
  return [...files.values()];
}
