import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { mediaTools } from "../../core/media/ffmpeg.ts";

const run = promisify(execFile);

/** A file in a fresh temporary directory holding these bytes. */
export async function tempFile(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), "speech-test-")), name);
  await writeFile(path, bytes);
  return path;
}

/** What ffprobe says of a sound file's audio stream. */
export async function probeAudio(path: string) {
  const { stdout } = await run(mediaTools().ffprobe, [
    "-v",
    "error",
    "-show_entries",
    "stream=codec_name,sample_rate,channels,duration",
    "-of",
    "json",
    path,
  ]);
  const stream = JSON.parse(stdout).streams[0];
  return {
    codec: stream.codec_name as string,
    sampleRate: Number(stream.sample_rate),
    channels: Number(stream.channels),
    duration: Number(stream.duration),
  };
}

/** RMS level (dBFS) of a sound file between two times, measured by ffmpeg's `astats`. */
export async function rmsDb(path: string, from = 0, to?: number): Promise<number> {
  const window = ["-ss", String(from), ...(to !== undefined ? ["-t", String(to - from)] : [])];
  const { stderr } = await run(mediaTools().ffmpeg, [
    "-hide_banner",
    "-nostats",
    ...window,
    "-i",
    path,
    "-af",
    "astats",
    "-f",
    "null",
    "-",
  ]);
  // The 2018 build has no astats options: its "Overall" section comes last.
  const level = [...stderr.matchAll(/RMS level dB:\s*(-?[\d.]+|-inf)/g)].pop()?.[1];
  return level === undefined || level === "-inf" ? Number.NEGATIVE_INFINITY : Number(level);
}
