import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ffmpeg, mediaTools } from "./ffmpeg.ts";

const run = promisify(execFile);

/**
 * The last touches on a composed cut, all stream copies (nothing is decoded or encoded again):
 * a soft subtitle track muxed in, and the soundtrack taken out as an M4A.
 */

export interface FinishOptions {
  /** The composed MP4. */
  video: string;
  /** Where the finished MP4 goes (only written when there is something to add). */
  out: string;
  /** A WebVTT file to carry as a soft subtitle track (`mov_text`), or none. */
  subtitlesVtt?: string | null;
  /** ISO 639-2 code of the subtitles (`eng`, `zho`, …). */
  language?: string;
}

/**
 * The cut with a soft subtitle track when there are subtitles, else the cut itself. Video and
 * audio are copied as they are; the track is marked default so players show it until the viewer
 * turns it off (the project asked for subtitles).
 */
export async function finishCut(o: FinishOptions): Promise<string> {
  if (!o.subtitlesVtt) return o.video;
  await ffmpeg([
    "-i",
    o.video,
    "-i",
    o.subtitlesVtt,
    "-map",
    "0:v",
    "-map",
    "0:a?",
    "-map",
    "1:0",
    "-c",
    "copy",
    "-c:s",
    "mov_text",
    "-metadata:s:s:0",
    `language=${o.language ?? "und"}`,
    "-disposition:s:0",
    "default",
    "-movflags",
    "+faststart",
    o.out,
  ]);
  return o.out;
}

export interface StreamSummary {
  index: number;
  codec_type: string;
  codec_name: string;
  tags?: Record<string, string>;
  duration?: string;
}

/** Every stream of a media file with the container's duration (any file, audio-only too). */
export async function streamsOf(
  path: string,
): Promise<{ duration: number; streams: StreamSummary[] }> {
  const { stdout } = await run(mediaTools().ffprobe, [
    "-v",
    "error",
    "-show_entries",
    "format=duration:stream=index,codec_type,codec_name,duration:stream_tags=language",
    "-of",
    "json",
    path,
  ]);
  const data = JSON.parse(stdout) as { format?: { duration?: string }; streams?: StreamSummary[] };
  return { duration: Number(data.format?.duration ?? 0), streams: data.streams ?? [] };
}

/**
 * The cut's soundtrack as an M4A: the AAC stream copied out (`-vn -c:a copy`), or encoded to AAC
 * when the cut carries another codec. Null when the cut has no sound at all.
 */
export async function extractAudio(
  mp4: string,
  m4a: string,
): Promise<{ path: string; duration: number; copied: boolean } | null> {
  const audio = (await streamsOf(mp4)).streams.find((s) => s.codec_type === "audio");
  if (!audio) return null;
  const copied = audio.codec_name === "aac";
  await ffmpeg([
    "-i",
    mp4,
    "-map",
    "0:a:0",
    "-vn",
    "-sn",
    ...(copied ? ["-c:a", "copy"] : ["-c:a", "aac", "-b:a", "192k"]),
    "-movflags",
    "+faststart",
    "-f",
    "ipod",
    m4a,
  ]);
  return { path: m4a, duration: (await streamsOf(m4a)).duration, copied };
}
