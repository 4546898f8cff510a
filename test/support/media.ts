import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { PNG } from "pngjs";
import { ffmpeg, mediaTools } from "../../core/media/ffmpeg.ts";

const run = promisify(execFile);

/**
 * Tiny real media for the final-cut tests: clips of one colour with a tone of their own, and
 * tones standing in for speech and music, so each layer of a mix can be measured apart by its
 * frequency.
 */
export async function toneClip(
  dir: string,
  name: string,
  o: { color: string; hz: number; seconds: number; level?: number; size?: string },
) {
  const out = join(dir, `${name}.mp4`);
  await ffmpeg([
    ...["-f", "lavfi", "-i", `color=c=${o.color}:s=${o.size ?? "64x36"}:r=24`],
    ...["-f", "lavfi", "-i", `sine=frequency=${o.hz}:sample_rate=48000`],
    ...["-t", String(o.seconds), "-af", `volume=${o.level ?? 1.5}`],
    ...["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"],
    ...["-c:a", "aac", "-ac", "2", "-movflags", "+faststart", out],
  ]);
  return out;
}

/** A mono tone (WAV), standing in for a speech clip or a music file (ffmpeg's sine is at 1/8). */
export async function toneFile(
  dir: string,
  name: string,
  o: { hz: number; seconds: number; level?: number },
) {
  const out = join(dir, `${name}.wav`);
  await ffmpeg([
    ...["-f", "lavfi", "-i", `sine=frequency=${o.hz}:sample_rate=24000:duration=${o.seconds}`],
    ...["-af", `volume=${o.level ?? 2}`, out],
  ]);
  return out;
}

/** Mean level (dB) of one frequency band of a file's sound between two times. */
export async function bandLevel(path: string, hz: number, from: number, to: number) {
  const band = `bandpass=f=${hz}:width_type=q:w=8`;
  const log = await ffmpeg(
    [
      ...["-ss", from.toFixed(3), "-t", (to - from).toFixed(3), "-i", path, "-vn"],
      // Two narrow band-passes: another layer two octaves away is ~60 dB down.
      ...["-af", `${band},${band},volumedetect`, "-f", "null", "-"],
    ],
    { logLevel: "info" },
  );
  const level = /mean_volume: (-?[\d.]+|-inf) dB/.exec(log)?.[1];
  if (level === undefined) throw new Error(`no level measured in ${path}`);
  return level === "-inf" ? -120 : Number(level);
}

/** One decoded frame at `seconds`, as RGBA pixels. */
export async function frameAt(path: string, seconds: number, dir: string) {
  const out = join(dir, `frame-${Math.round(seconds * 1000)}.png`);
  await ffmpeg(["-ss", seconds.toFixed(3), "-i", path, "-frames:v", "1", "-c:v", "png", out]);
  const png = PNG.sync.read(await readFile(out));
  const at = (x: number, y: number) => {
    const i = (y * png.width + x) * 4;
    return { r: png.data[i] ?? 0, g: png.data[i + 1] ?? 0, b: png.data[i + 2] ?? 0 };
  };
  return { width: png.width, height: png.height, center: at(png.width >> 1, png.height >> 1) };
}

/** Start and duration of each stream of a file, by ffprobe. */
export async function streamTimes(path: string) {
  const { stdout } = await run(mediaTools().ffprobe, [
    ...["-v", "error", "-show_entries", "stream=codec_type,start_time,duration,codec_name"],
    ...["-of", "json", path],
  ]);
  const streams = (
    JSON.parse(stdout) as {
      streams: { codec_type: string; codec_name: string; start_time: string; duration: string }[];
    }
  ).streams;
  const of = (type: string) => {
    const s = streams.find((x) => x.codec_type === type);
    return s
      ? { codec: s.codec_name, start: Number(s.start_time), duration: Number(s.duration) }
      : undefined;
  };
  return { video: of("video"), audio: of("audio"), subtitle: of("subtitle") };
}

/** An MP4's subtitle track read back as SubRip, without the font tag mov_text wraps cues in. */
export async function subtitleTrack(path: string): Promise<string> {
  const { stdout } = await run(mediaTools().ffmpeg, [
    ...["-v", "error", "-i", path],
    ...["-map", "0:s:0", "-f", "srt", "-"],
  ]);
  return stdout.replace(/<\/?font[^>]*>/g, "").replaceAll("\r", "");
}

/** Hashes of a file's first `count` video packets: equal only for the very same bytes. */
export async function videoPacketHashes(path: string, count: number) {
  const { stdout } = await run(
    mediaTools().ffprobe,
    [
      ...["-v", "error", "-select_streams", "v:0", "-show_packets", "-show_data_hash", "MD5"],
      ...["-show_entries", "packet=data_hash", "-of", "csv=p=0", path],
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout.trim().split("\n").slice(0, count);
}
