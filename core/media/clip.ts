import { ffmpeg } from "./ffmpeg.ts";

export interface StillClipOptions {
  width: number;
  height: number;
  seconds: number;
  fps?: number;
  /** A quiet tone keeps an audio track in every clip, as Veo clips have one. */
  toneHz?: number;
}

/** How every offline clip is encoded: H.264 and AAC, fast, web-ready. */
const CLIP_ENCODING = [
  "-c:v",
  "libx264",
  "-preset",
  "veryfast",
  "-crf",
  "23",
  "-c:a",
  "aac",
  "-b:a",
  "96k",
  "-movflags",
  "+faststart",
];
/**
 * A real H.264/AAC MP4 made from one still image with a slow push-in: the offline stand-in for a
 * generated shot video, so the whole pipeline (jobs, storage, final cut) runs without Veo.
 */
export async function stillToClip(image: string, out: string, o: StillClipOptions): Promise<void> {
  const fps = o.fps ?? 24;
  const frames = Math.max(1, Math.round(o.seconds * fps));
  // Upscale first so zoompan's integer crop steps do not judder.
  const video = [
    `scale=${o.width * 2}:${o.height * 2}:force_original_aspect_ratio=increase`,
    `crop=${o.width * 2}:${o.height * 2}`,
    `zoompan=z='min(1+0.0015*on,1.25)':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=${frames}:s=${o.width}x${o.height}:fps=${fps}`,
    "setsar=1",
    "format=yuv420p",
  ].join(",");
  await ffmpeg([
    "-loop",
    "1",
    "-i",
    image,
    "-f",
    "lavfi",
    "-i",
    `sine=frequency=${o.toneHz ?? 220}:sample_rate=48000`,
    "-filter_complex",
    `[0:v]${video}[v];[1:a]volume=0.05,aformat=channel_layouts=stereo[a]`,
    "-map",
    "[v]",
    "-map",
    "[a]",
    "-t",
    String(o.seconds),
    ...CLIP_ENCODING,
    out,
  ]);
}

/**
 * A clip that starts on one still and ends exactly on another: the first holds, dissolves into
 * the last over the middle half, and the last holds to the end (the offline stand-in for a
 * first + last frame video). ffmpeg 4.x has no `xfade`: the last still fades in as alpha over
 * the first one.
 */
export async function crossfadeClip(
  first: string,
  last: string,
  out: string,
  o: StillClipOptions,
): Promise<void> {
  const fps = o.fps ?? 24;
  const fit = `scale=${o.width}:${o.height}:force_original_aspect_ratio=increase,crop=${o.width}:${o.height},setsar=1`;
  const start = (o.seconds * 0.25).toFixed(3);
  const length = (o.seconds * 0.5).toFixed(3);
  await ffmpeg([
    "-loop",
    "1",
    "-framerate",
    String(fps),
    "-i",
    first,
    "-loop",
    "1",
    "-framerate",
    String(fps),
    "-i",
    last,
    "-f",
    "lavfi",
    "-i",
    `sine=frequency=${o.toneHz ?? 220}:sample_rate=48000`,
    "-filter_complex",
    [
      `[0:v]${fit},format=yuv420p[a]`,
      `[1:v]${fit},format=yuva420p,fade=t=in:st=${start}:d=${length}:alpha=1[b]`,
      "[a][b]overlay=format=yuv420,format=yuv420p[v]",
      "[2:a]volume=0.05,aformat=channel_layouts=stereo[s]",
    ].join(";"),
    "-map",
    "[v]",
    "-map",
    "[s]",
    "-t",
    String(o.seconds),
    "-r",
    String(fps),
    ...CLIP_ENCODING,
    out,
  ]);
}
