import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type ClipInfo, type FfmpegOptions, ffmpeg, probe } from "./ffmpeg.ts";

export interface ComposeTarget {
  width: number;
  height: number;
  fps: number;
}

export interface ComposeResult {
  /** "copy": joined without re-encoding; "encode": normalised and encoded once. */
  method: "copy" | "encode";
  duration: number;
  clips: ClipInfo[];
  output: ClipInfo;
}

/**
 * Everything the concat demuxer needs to be identical for a stream copy to be valid. It keeps the
 * first clip's codec parameters, so a later clip with another H.264 profile or level decodes
 * wrongly or not at all; the frame rate is the real one (`avg_frame_rate`), since `r_frame_rate`
 * is a guess that matches for clips that play at different rates.
 */
const signature = (c: ClipInfo) =>
  JSON.stringify([
    c.video.codec,
    c.video.profile,
    c.video.level,
    c.video.width,
    c.video.height,
    c.video.pixFmt,
    c.video.frameRate,
    c.video.timeBase,
    c.video.sar,
    c.audio ? [c.audio.codec, c.audio.sampleRate, c.audio.channels, c.audio.layout] : null,
  ]);

export const canStreamCopy = (clips: ClipInfo[]) =>
  clips.length > 0 && clips.every((c) => signature(c) === signature(clips[0] as ClipInfo));

async function concatCopy(paths: string[], out: string, workDir: string, options: FfmpegOptions) {
  const list = join(workDir, "clips.txt");
  const quote = (p: string) => `'${p.replaceAll("'", "'\\''")}'`;
  await writeFile(list, paths.map((p) => `file ${quote(p)}`).join("\n"));
  await ffmpeg(
    ["-f", "concat", "-safe", "0", "-i", list, "-c", "copy", "-movflags", "+faststart", out],
    options,
  );
}

/** Scale+pad to the target, one frame rate, square pixels, yuv420p, stereo 48 kHz; silence where a clip has no audio. */
async function normaliseAndEncode(
  paths: string[],
  clips: ClipInfo[],
  out: string,
  t: ComposeTarget,
  options: FfmpegOptions,
) {
  const inputs: string[] = [];
  const filters: string[] = [];
  const pairs: string[] = [];
  let index = 0;
  clips.forEach((clip, i) => {
    const v = index;
    inputs.push("-i", paths[i] as string);
    index++;
    let audio = `${v}:a`;
    if (!clip.audio) {
      inputs.push(
        "-f",
        "lavfi",
        "-t",
        clip.duration.toFixed(3),
        "-i",
        "anullsrc=r=48000:cl=stereo",
      );
      audio = `${index}:a`;
      index++;
    }
    filters.push(
      `[${v}:v]scale=${t.width}:${t.height}:force_original_aspect_ratio=decrease,` +
        `pad=${t.width}:${t.height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=${t.fps},format=yuv420p[v${i}]`,
      `[${audio}]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo[a${i}]`,
    );
    pairs.push(`[v${i}][a${i}]`);
  });
  filters.push(`${pairs.join("")}concat=n=${clips.length}:v=1:a=1[v][a]`);
  await ffmpeg(
    [
      ...inputs,
      "-filter_complex",
      filters.join(";"),
      "-map",
      "[v]",
      "-map",
      "[a]",
      "-c:v",
      "libx264",
      "-preset",
      "veryfast",
      "-crf",
      "20",
      "-c:a",
      "aac",
      "-b:a",
      "128k",
      "-movflags",
      "+faststart",
      out,
    ],
    options,
  );
}

/**
 * Joins clips in order. Clips that match each other and the target's frame size are
 * stream-copied (seconds, no quality loss); otherwise they are normalised to the target and
 * encoded once. The output's duration is verified against the inputs.
 * `onProgress` gets the share of the output written so far, 0 to 1.
 */
export async function composeClips(
  paths: string[],
  out: string,
  target: ComposeTarget,
  workDir: string,
  onProgress?: (fraction: number) => void,
): Promise<ComposeResult> {
  if (paths.length === 0) throw new Error("no clips to compose");
  const clips = await Promise.all(paths.map((p) => probe(p)));
  const expected = clips.reduce((sum, c) => sum + c.duration, 0);
  const options: FfmpegOptions = onProgress
    ? { onProgress: (seconds) => onProgress(Math.min(1, seconds / (expected || 1))) }
    : {};
  // Joined as they are only when they already have the film's frame size.
  const first = clips[0] as ClipInfo;
  const fits = first.video.width === target.width && first.video.height === target.height;
  const method = canStreamCopy(clips) && fits ? "copy" : "encode";
  if (method === "copy") await concatCopy(paths, out, workDir, options);
  else await normaliseAndEncode(paths, clips, out, target, options);
  const output = await probe(out);
  // Container rounding differs per clip; anything beyond this means frames were lost or doubled.
  if (Math.abs(output.duration - expected) > 0.25 + 0.1 * clips.length) {
    throw new Error(
      `composed video lasts ${output.duration}s, expected about ${expected.toFixed(2)}s`,
    );
  }
  return { method, duration: output.duration, clips, output };
}
