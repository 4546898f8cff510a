import { rm, stat } from "node:fs/promises";
import { ffmpeg } from "./ffmpeg.ts";

const exists = (path: string) =>
  stat(path).then(
    (s) => s.size > 0,
    () => false,
  );

/**
 * Writes the very last video frame of a clip as a PNG (chain continuity on a model without
 * last-frame support: shot N's last frame becomes shot N+1's first frame).
 *
 * Only the end of the file is decoded (`-sseof`), every frame is written over the same image
 * (`-update 1`, no frame-rate conversion), so the file left is the last frame decoded. When the
 * audio runs longer than the video, the window can hold no video frame at all; then the whole
 * clip is decoded instead.
 */
export async function extractLastFrame(videoPath: string, outPngPath: string): Promise<void> {
  await rm(outPngPath, { force: true });
  const write = (seek: string[]) =>
    ffmpeg([
      ...seek,
      "-i",
      videoPath,
      "-map",
      "0:v:0",
      "-an",
      "-vsync",
      "passthrough",
      "-c:v",
      "png",
      "-f",
      "image2",
      "-update",
      "1",
      outPngPath,
    ]);
  await write(["-sseof", "-3"]);
  if (!(await exists(outPngPath))) await write([]);
  if (!(await exists(outPngPath))) throw new Error(`${videoPath} has no video frame to extract`);
}
