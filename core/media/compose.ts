import { stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { mapLimit } from "../concurrency.ts";
import { audioSeconds, type ClipInfo, type FfmpegOptions, ffmpeg, probe } from "./ffmpeg.ts";
import { type Loudness, measureIntegrated } from "./loudness.ts";
import { pictureGraph } from "./picture-graph.ts";
import { renderSoundtrack } from "./soundtrack.ts";
import {
  type CutPlan,
  type CutTimeline,
  isPlainJoin,
  planCut,
  type Transition,
  timelineOf,
} from "./timeline.ts";

export interface ComposeTarget {
  width: number;
  height: number;
  /** The frame rate of an encoded cut (a stream copy keeps the clips' own). */
  fps: number;
}

/** A shot's speech, placed at its start in the output. */
export interface ShotAudio {
  speechPath?: string;
  /** Its real length; measured when not given. */
  speechSeconds?: number;
}

/** Length and loudness of each shot's speech (an ffmpeg run or two a clip, a few at a time). */
export const measureSpeech = (shots: FilmShot[]) =>
  mapLimit(shots, 4, async (s) => {
    const path = s.sound?.speechPath;
    if (!path) return { seconds: 0 };
    const [seconds, lufs] = await Promise.all([
      s.sound?.speechSeconds ?? audioSeconds(path),
      measureIntegrated(path),
    ]);
    return { seconds, lufs };
  });

export interface FilmShot {
  storyboard_id: number;
  /** The shot's clip on disk. */
  path: string;
  /** Its stream parameters, probed once when the clip was made; probed now when missing. */
  info?: ClipInfo;
  /** How the cut enters this shot. */
  transition?: Transition;
  sound?: ShotAudio;
}

export interface FilmOptions {
  out: string;
  workDir: string;
  target: ComposeTarget;
  loudnessLufs: number;
  musicPath?: string;
  transitionSeconds?: number;
  /** A subtitle file (SRT/WebVTT) made from the final timeline, muxed in as a `mov_text` track. */
  subtitles?: (timeline: CutTimeline) => Promise<string | undefined>;
  /** Share of the cut written so far, 0 to 1. */
  onProgress?: (fraction: number) => void;
}

export interface ComposeResult {
  /** The picture: "copy" joined without re-encoding, "encode" normalised and encoded once. */
  method: "copy" | "encode";
  /** The sound: "copy" the clips' own as they are, "mixed" rendered, mixed and normalised. */
  sound: "copy" | "mixed";
  duration: number;
  clips: ClipInfo[];
  output: ClipInfo;
  timeline: CutTimeline;
  /** Measured on the output's sound; null when it was copied as is or there is none. */
  loudness: Loudness | null;
  /** The mixed soundtrack on disk (AAC in M4A), when the sound was mixed. */
  soundtrackPath?: string;
  /** Clips that had no stored probe and were probed now. */
  probed: number;
  /** Wall time of each part: the sound (probes, speech measures, the soundtrack; 0 when copied)
   * and the picture with the mux. */
  seconds: { sound: number; picture: number };
}

const videoSignature = (c: ClipInfo) => [
  c.video.codec,
  c.video.profile,
  c.video.level,
  c.video.width,
  c.video.height,
  c.video.pixFmt,
  c.video.frameRate,
  c.video.timeBase,
  c.video.sar,
];

/**
 * Everything the concat demuxer needs to be identical for a stream copy to be valid. It keeps the
 * first clip's codec parameters, so a later clip with another H.264 profile or level decodes
 * wrongly or not at all; the frame rate is the real one (`avg_frame_rate`), since `r_frame_rate`
 * is a guess that matches for clips that play at different rates. The audio counts only when it
 * is copied too.
 */
const signature = (c: ClipInfo, withAudio: boolean) =>
  JSON.stringify([
    ...videoSignature(c),
    ...(withAudio
      ? [c.audio ? [c.audio.codec, c.audio.sampleRate, c.audio.channels, c.audio.layout] : null]
      : []),
  ]);

export const canStreamCopy = (clips: ClipInfo[], withAudio = true) =>
  clips.length > 0 &&
  clips.every((c) => signature(c, withAudio) === signature(clips[0] as ClipInfo, withAudio));

const rateOf = (c: ClipInfo) => {
  const [num = 24, den = 1] = c.video.frameRate.split("/").map(Number);
  return num / (den || 1) || 24;
};

/**
 * The final cut. Shots are placed on the timeline (timeline.ts: transitions, holds for speech).
 * When nothing is mixed and the clips are joined end to end, match and have the film's frame
 * size, the clips are stream-copied, sound and all. Otherwise the soundtrack is rendered
 * (soundtrack.ts: the clips' sound, speech, music, ducking, loudness); the picture is still
 * stream-copied when only the sound changed, else encoded once (picture-graph.ts).
 */
export async function composeFilm(shots: FilmShot[], o: FilmOptions): Promise<ComposeResult> {
  if (shots.length === 0) throw new Error("no clips to compose");
  const missing = shots.filter((s) => !s.info).length;
  let started = performance.now();
  const clips = await Promise.all(shots.map((s) => s.info ?? probe(s.path)));
  const speech = await measureSpeech(shots);
  const measuring = since(started);
  // A clip lasts as long as its picture; a stream copy of sound and all lasts as long as the
  // container says (the concat demuxer's own measure).
  const plan = (fps: number, container = false) =>
    planCut(
      shots.map((s, i) => ({
        storyboard_id: s.storyboard_id,
        clipSeconds: container
          ? (clips[i] as ClipInfo).duration
          : ((clips[i] as ClipInfo).video.duration ?? (clips[i] as ClipInfo).duration),
        speechSeconds: speech[i]?.seconds,
        transition: s.transition,
      })),
      { fps, transitionSeconds: o.transitionSeconds },
    );
  const first = clips[0] as ClipInfo;
  const fits = first.video.width === o.target.width && first.video.height === o.target.height;
  const asTheyAre = plan(rateOf(first));
  const mixes = speech.some((s) => s.seconds > 0) || Boolean(o.musicPath);
  const copyVideo = fits && isPlainJoin(asTheyAre) && canStreamCopy(clips, false);
  const copyAll = copyVideo && !mixes && canStreamCopy(clips, true);
  const cut = copyAll ? plan(rateOf(first), true) : copyVideo ? asTheyAre : plan(o.target.fps);
  const timeline = timelineOf(cut);
  const progress = (from: number, to: number): FfmpegOptions =>
    o.onProgress
      ? {
          onProgress: (s) =>
            o.onProgress?.(from + (to - from) * Math.min(1, s / (timeline.duration || 1))),
        }
      : {};
  const subtitles = await o.subtitles?.(timeline);
  const subtitleArgs = (index: number) =>
    subtitles ? ["-map", `${index}:s`, "-c:s", "mov_text"] : [];
  const subtitleInput = subtitles ? ["-i", subtitles] : [];
  const base = { clips, timeline, probed: missing };
  started = performance.now();

  if (copyAll) {
    let written = 0;
    const track = progress(0, 1);
    await ffmpeg(
      [
        ...(await concatInput(shots, o.workDir)),
        ...subtitleInput,
        ...["-map", "0:v", "-map", "0:a?", ...subtitleArgs(1), "-c:v", "copy", "-c:a", "copy"],
        ...["-movflags", "+faststart", o.out],
      ],
      {
        onProgress: (s) => {
          written = Math.max(written, s);
          track.onProgress?.(s);
        },
      },
    );
    // The copy keeps the first clip's parameters: no second probe on the fast path.
    const output = { ...first, duration: written, sizeBytes: (await stat(o.out)).size };
    verify(output.duration, timeline, shots.length);
    const seconds = { sound: 0, picture: since(started) };
    return {
      ...base,
      method: "copy",
      sound: "copy",
      duration: written,
      output,
      loudness: null,
      seconds,
    };
  }

  const sound = await renderSoundtrack({
    plan: cut,
    shots: shots.map((s, i) => ({
      path: s.path,
      hasAudio: Boolean(clips[i]?.audio),
      speechPath: s.sound?.speechPath,
      speechLufs: speech[i]?.lufs,
    })),
    musicPath: o.musicPath,
    loudnessLufs: o.loudnessLufs,
    workDir: o.workDir,
    onProgress: progress(0, copyVideo ? 0.9 : 0.4).onProgress,
  });
  const soundSeconds = measuring + since(started);
  started = performance.now();
  if (copyVideo) {
    await ffmpeg(
      [
        ...(await concatInput(shots, o.workDir, cut)),
        ...["-i", sound.path, ...subtitleInput],
        ...["-map", "0:v", "-map", "1:a", ...subtitleArgs(2), "-c:v", "copy", "-c:a", "copy"],
        ...["-movflags", "+faststart", o.out],
      ],
      progress(0.9, 1),
    );
  } else {
    const picture = pictureGraph(cut, o.target);
    const n = shots.length;
    await ffmpeg(
      [
        ...shots.flatMap((s) => ["-an", "-i", s.path]),
        ...["-i", sound.path, ...subtitleInput],
        ...["-filter_complex", picture.filters.join(";")],
        ...["-map", `[${picture.out}]`, "-map", `${n}:a`, ...subtitleArgs(n + 1)],
        ...["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-c:a", "copy"],
        ...["-movflags", "+faststart", o.out],
      ],
      progress(0.4, 1),
    );
  }
  const output = await probe(o.out);
  verify(output.duration, timeline, shots.length);
  const seconds = { sound: soundSeconds, picture: since(started) };
  return {
    ...base,
    method: copyVideo ? "copy" : "encode",
    sound: "mixed",
    duration: output.duration,
    output,
    loudness: sound.loudness,
    soundtrackPath: sound.path,
    seconds,
  };
}

/**
 * The concat demuxer's input. With a plan (the picture alone is copied), each file is given its
 * video's length, so the next clip starts exactly where the picture ends (not where a longer
 * audio stream does) and the mixed sound, cut on the same frames, stays in sync.
 */
async function concatInput(shots: FilmShot[], workDir: string, plan?: CutPlan) {
  const list = join(workDir, "clips.txt");
  const quote = (p: string) => `'${p.replaceAll("'", "'\\''")}'`;
  await writeFile(
    list,
    shots
      .map((s, i) => {
        const frames = plan?.shots[i]?.clipFrames;
        const length = plan && frames ? `\nduration ${(frames / plan.fps).toFixed(6)}` : "";
        return `file ${quote(s.path)}${length}`;
      })
      .join("\n"),
  );
  return ["-f", "concat", "-safe", "0", "-i", list];
}

/** Container rounding differs per clip; anything beyond this means frames were lost or doubled. */
function verify(duration: number, timeline: CutTimeline, clips: number) {
  if (Math.abs(duration - timeline.duration) > 0.25 + 0.1 * clips) {
    throw new Error(
      `composed video lasts ${duration}s, expected about ${timeline.duration.toFixed(2)}s`,
    );
  }
}

const since = (t: number) => Math.round(performance.now() - t) / 1000;

/** The cut of clips alone, in order: no speech, no music, cuts only. */
export function composeClips(
  paths: string[],
  out: string,
  target: ComposeTarget,
  workDir: string,
  onProgress?: (fraction: number) => void,
  loudnessLufs = -14,
): Promise<ComposeResult> {
  return composeFilm(
    paths.map((path, i) => ({ storyboard_id: i + 1, path })),
    { out, workDir, target, loudnessLufs, onProgress },
  );
}
