import { createHash, randomUUID } from "node:crypto";
import { copyFile, mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Config } from "../../config.ts";
import { videoFrameSize } from "../../frame-size.ts";
import { crossfadeClip, stillToClip } from "../../media/clip.ts";
import { renderCard } from "../offline/card.ts";
import type { VideoProvider, VideoRequest } from "../types.ts";

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

interface Spec {
  width: number;
  height: number;
  seconds: number;
  readyAt: number;
  /** The clip must end on `<id>.last.png`. */
  last?: boolean;
}

/** The still a shot starts from: its first frame, or (reference-to-video) a card of its references. */
function firstStill(request: VideoRequest, size: { width: number; height: number }): Uint8Array {
  if (request.image) return request.image.bytes;
  return renderCard({
    ...size,
    title: "Reference-to-video",
    prompt: request.prompt,
    label: "OFFLINE VIDEO",
    seed: createHash("sha256").update(request.prompt).digest("hex").slice(0, 8),
    references: (request.referenceImages ?? []).map((r) => r.bytes),
  });
}

/**
 * Offline video: a real MP4 at the size Veo would make for the request (slow push-in on the first
 * frame, or a dissolve that ends exactly on the last frame; quiet tone) that becomes ready after
 * OFFLINE_VIDEO_DELAY_MS, so the start → check later → download path runs exactly as with Veo.
 * Operation state lives in files under DATA_DIR, so any process can resume it.
 */
export function offlineVideo(cfg: Config): VideoProvider {
  const dir = resolve(cfg.DATA_DIR, "offline-video");
  return {
    name: "offline",
    model: "offline-video-v1",
    offline: true,
    async start(request) {
      await mkdir(dir, { recursive: true });
      const id = randomUUID();
      const size = videoFrameSize(request.aspectRatio, request.resolution);
      await writeFile(join(dir, `${id}.png`), firstStill(request, size));
      if (request.lastFrame) await writeFile(join(dir, `${id}.last.png`), request.lastFrame.bytes);
      const spec: Spec = {
        ...size,
        seconds: request.durationSeconds,
        readyAt: Date.now() + cfg.OFFLINE_VIDEO_DELAY_MS,
        ...(request.lastFrame ? { last: true } : {}),
      };
      await writeFile(join(dir, `${id}.json`), JSON.stringify(spec));
      return `offline/${id}`;
    },
    async check(operation) {
      const id = operation.replace(/^offline\//, "");
      const spec = JSON.parse(await readFile(join(dir, `${id}.json`), "utf8")) as Spec;
      const remaining = spec.readyAt - Date.now();
      if (remaining > 0) {
        const total = Math.max(cfg.OFFLINE_VIDEO_DELAY_MS, 1);
        return { state: "pending", progress: Math.round(100 * (1 - remaining / total)) };
      }
      const video = join(dir, `${id}.mp4`);
      if (!(await exists(video))) {
        // Render to a temp name first: a concurrent check never sees half a file.
        const partial = join(dir, `${id}.${randomUUID()}.mp4`);
        const first = join(dir, `${id}.png`);
        if (spec.last) await crossfadeClip(first, join(dir, `${id}.last.png`), partial, spec);
        else await stillToClip(first, partial, spec);
        await rename(partial, video);
      }
      return { state: "done", video };
    },
    async download(video, destination) {
      await copyFile(video, destination);
    },
  };
}
