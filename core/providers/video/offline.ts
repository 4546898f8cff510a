import { randomUUID } from "node:crypto";
import { copyFile, mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Config } from "../../config.ts";
import { stillToClip } from "../../media/clip.ts";
import { aspectSize } from "../offline/card.ts";
import type { VideoProvider } from "../types.ts";

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * Offline video: a real MP4 (slow push-in on the first frame, quiet tone) that becomes ready after
 * OFFLINE_VIDEO_DELAY_MS, so the start → check later → download path runs exactly as with Veo.
 * Operation state lives in files under DATA_DIR, so any process can resume it.
 */
export function offlineVideo(cfg: Config): VideoProvider {
  const dir = resolve(cfg.DATA_DIR, "offline-video");
  return {
    name: "offline",
    model: "offline-video-v1",
    offline: true,
    async start({ image, aspectRatio, durationSeconds }) {
      await mkdir(dir, { recursive: true });
      const id = randomUUID();
      const size = aspectSize(aspectRatio, 640);
      await writeFile(join(dir, `${id}.png`), image.bytes);
      await writeFile(
        join(dir, `${id}.json`),
        JSON.stringify({
          ...size,
          seconds: durationSeconds,
          readyAt: Date.now() + cfg.OFFLINE_VIDEO_DELAY_MS,
        }),
      );
      return `offline/${id}`;
    },
    async check(operation) {
      const id = operation.replace(/^offline\//, "");
      const spec = JSON.parse(await readFile(join(dir, `${id}.json`), "utf8")) as {
        width: number;
        height: number;
        seconds: number;
        readyAt: number;
      };
      const remaining = spec.readyAt - Date.now();
      if (remaining > 0) {
        const total = Math.max(cfg.OFFLINE_VIDEO_DELAY_MS, 1);
        return { state: "pending", progress: Math.round(100 * (1 - remaining / total)) };
      }
      const video = join(dir, `${id}.mp4`);
      if (!(await exists(video))) {
        // Render to a temp name first: a concurrent check never sees half a file.
        const partial = join(dir, `${id}.${randomUUID()}.mp4`);
        await stillToClip(join(dir, `${id}.png`), partial, spec);
        await rename(partial, video);
      }
      return { state: "done", video };
    },
    async download(video, destination) {
      await copyFile(video, destination);
    },
  };
}
