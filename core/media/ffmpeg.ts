import { execFile, spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";

const run = promisify(execFile);

function executable(path: string): string | undefined {
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}

const onPath = (name: string) =>
  (process.env.PATH ?? "")
    .split(delimiter)
    .map((dir) => executable(join(dir, name)))
    .find(Boolean);

function fromInstaller(pkg: string): string | undefined {
  try {
    return (createRequire(import.meta.url)(pkg) as { path: string }).path;
  } catch {
    return undefined;
  }
}

let cached: { ffmpeg: string; ffprobe: string } | undefined;

/**
 * ffmpeg and ffprobe: FFMPEG_PATH/FFPROBE_PATH, else the Lambda layer's /opt/bin, else PATH, else
 * the static builds of the npm installer packages.
 */
export function mediaTools(): { ffmpeg: string; ffprobe: string } {
  if (cached) return cached;
  const find = (tool: "ffmpeg" | "ffprobe", env: string | undefined, pkg: string) => {
    const found = env ?? executable(`/opt/bin/${tool}`) ?? onPath(tool) ?? fromInstaller(pkg);
    if (!found) throw new Error(`${tool} not found: set ${tool.toUpperCase()}_PATH or install it`);
    return found;
  };
  cached = {
    ffmpeg: find("ffmpeg", process.env.FFMPEG_PATH, "@ffmpeg-installer/ffmpeg"),
    ffprobe: find("ffprobe", process.env.FFPROBE_PATH, "@ffprobe-installer/ffprobe"),
  };
  return cached;
}

export interface FfmpegOptions {
  /** Called with how many seconds of output are written, from ffmpeg's `-progress` report. */
  onProgress?: (outputSeconds: number) => void;
  /** "info" keeps what filters print (loudnorm's and ebur128's measurements) in the result. */
  logLevel?: "error" | "info";
}

/** Keeps only the end of ffmpeg's stderr: the reason for a failure is in its last lines. */
const STDERR_TAIL = 8192;

/**
 * Runs ffmpeg quietly; its stderr tail becomes the error message on failure, and is the result
 * on success (with `logLevel: "info"`, what filters measured). With `onProgress`, ffmpeg's
 * machine-readable `-progress` report is read from stdout as it runs.
 */
export function ffmpeg(args: string[], options: FfmpegOptions = {}): Promise<string> {
  const { onProgress, logLevel = "error" } = options;
  const progressArgs = onProgress ? ["-progress", "pipe:1"] : [];
  const child = spawn(
    mediaTools().ffmpeg,
    ["-hide_banner", "-nostats", "-loglevel", logLevel, "-y", ...progressArgs, ...args],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (text: string) => {
    stderr = (stderr + text).slice(-STDERR_TAIL);
  });
  if (onProgress) {
    // `out_time_ms` is in microseconds too (an old ffmpeg misnomer); newer builds add `out_time_us`.
    createInterface({ input: child.stdout }).on("line", (line) => {
      const micros = /^out_time_(?:us|ms)=(\d+)$/.exec(line)?.[1];
      if (micros) onProgress(Number(micros) / 1e6);
    });
  } else child.stdout.resume();
  return new Promise((resolve, reject) => {
    child.once("error", (error) => reject(new Error(`ffmpeg failed: ${error.message}`)));
    child.once("close", (code, signal) => {
      if (code === 0) return resolve(stderr);
      const tail = stderr.trim().split("\n").slice(-3).join(" | ");
      reject(new Error(`ffmpeg failed: ${tail || `exit ${code ?? signal}`}`));
    });
  });
}

export interface ClipInfo {
  duration: number;
  video: {
    /** Seconds of the video stream alone (the container's `duration` also counts the audio). */
    duration?: number;
    codec: string;
    /** H.264 profile and level ("High", 31): clips joined by stream copy must share them. */
    profile: string;
    level: number;
    width: number;
    height: number;
    pixFmt: string;
    /** Frames over duration (`avg_frame_rate`): what the clip really plays at. */
    frameRate: string;
    /** ffprobe's guessed base rate (`r_frame_rate`); shown, never trusted for the concat check. */
    baseFrameRate: string;
    timeBase: string;
    sar: string;
  };
  audio?: { codec: string; sampleRate: number; channels: number; layout: string };
  sizeBytes: number;
}

interface ProbeStream {
  codec_type: string;
  codec_name: string;
  profile?: string;
  level?: number;
  width?: number;
  height?: number;
  pix_fmt?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  time_base?: string;
  sample_aspect_ratio?: string;
  sample_rate?: string;
  channels?: number;
  channel_layout?: string;
  duration?: string;
}

async function probeStreams(path: string) {
  const { stdout } = await run(mediaTools().ffprobe, [
    "-v",
    "error",
    "-show_streams",
    "-show_format",
    "-of",
    "json",
    path,
  ]);
  return JSON.parse(stdout) as {
    streams: ProbeStream[];
    format: { duration?: string; size?: string };
  };
}

/** Seconds of a sound file (speech, music); an error when it has no audio stream. */
export async function audioSeconds(path: string): Promise<number> {
  const data = await probeStreams(path);
  const a = data.streams.find((s) => s.codec_type === "audio");
  if (!a) throw new Error(`${path} has no audio stream`);
  return Number(a.duration ?? data.format.duration ?? 0);
}

/** A clip's stream parameters: what the final cut needs to decide between copy and encode. */
export async function probe(path: string): Promise<ClipInfo> {
  const data = await probeStreams(path);
  const v = data.streams.find((s) => s.codec_type === "video");
  const a = data.streams.find((s) => s.codec_type === "audio");
  if (!v) throw new Error(`${path} has no video stream`);
  return {
    duration: Number(data.format.duration ?? 0),
    sizeBytes: Number(data.format.size ?? 0),
    video: {
      ...(Number(v.duration) > 0 ? { duration: Number(v.duration) } : {}),
      codec: v.codec_name,
      profile: v.profile ?? "",
      level: v.level ?? 0,
      width: v.width ?? 0,
      height: v.height ?? 0,
      pixFmt: v.pix_fmt ?? "",
      frameRate: v.avg_frame_rate ?? "",
      baseFrameRate: v.r_frame_rate ?? "",
      timeBase: v.time_base ?? "",
      sar: v.sample_aspect_ratio && v.sample_aspect_ratio !== "0:1" ? v.sample_aspect_ratio : "1:1",
    },
    ...(a
      ? {
          audio: {
            codec: a.codec_name,
            sampleRate: Number(a.sample_rate ?? 0),
            channels: a.channels ?? 0,
            layout: a.channel_layout ?? "",
          },
        }
      : {}),
  };
}
