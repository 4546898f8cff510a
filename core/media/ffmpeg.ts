import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, join } from "node:path";
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

/** Runs ffmpeg quietly; its stderr tail becomes the error message on failure. */
export async function ffmpeg(args: string[]): Promise<void> {
  try {
    await run(mediaTools().ffmpeg, ["-hide_banner", "-loglevel", "error", "-y", ...args], {
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? "").trim();
    throw new Error(
      `ffmpeg failed: ${stderr.split("\n").slice(-3).join(" | ") || (error as Error).message}`,
    );
  }
}

export interface ClipInfo {
  duration: number;
  video: {
    codec: string;
    width: number;
    height: number;
    pixFmt: string;
    frameRate: string;
    timeBase: string;
    sar: string;
  };
  audio?: { codec: string; sampleRate: number; channels: number; layout: string };
  sizeBytes: number;
}

interface ProbeStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  r_frame_rate?: string;
  time_base?: string;
  sample_aspect_ratio?: string;
  sample_rate?: string;
  channels?: number;
  channel_layout?: string;
}

export async function probe(path: string): Promise<ClipInfo> {
  const { stdout } = await run(mediaTools().ffprobe, [
    "-v",
    "error",
    "-show_streams",
    "-show_format",
    "-of",
    "json",
    path,
  ]);
  const data = JSON.parse(stdout) as {
    streams: ProbeStream[];
    format: { duration?: string; size?: string };
  };
  const v = data.streams.find((s) => s.codec_type === "video");
  const a = data.streams.find((s) => s.codec_type === "audio");
  if (!v) throw new Error(`${path} has no video stream`);
  return {
    duration: Number(data.format.duration ?? 0),
    sizeBytes: Number(data.format.size ?? 0),
    video: {
      codec: v.codec_name,
      width: v.width ?? 0,
      height: v.height ?? 0,
      pixFmt: v.pix_fmt ?? "",
      frameRate: v.r_frame_rate ?? "",
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
