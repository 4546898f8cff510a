import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, asc, eq, isNull } from "drizzle-orm";
import { db } from "../db/client.ts";
import { projects, storyboards } from "../db/schema.ts";
import { composeClips } from "../media/compose.ts";
import { probe } from "../media/ffmpeg.ts";
import { requireLiveProject } from "../projects.ts";
import { providers } from "../providers/index.ts";
import { loadMedia } from "../storage/load-image.ts";
import { JobFailure, type Outcome } from "./outcome.ts";
import type { Job } from "./types.ts";

export async function projectClips(projectId: number) {
  const boards = await (await db())
    .select()
    .from(storyboards)
    .where(eq(storyboards.projectId, projectId))
    .orderBy(asc(storyboards.position), asc(storyboards.id));
  return {
    withVideo: boards.filter((b) => b.shotVideoUrl),
    skipped: boards.filter((b) => !b.shotVideoUrl).map((b) => b.id),
  };
}

/** Final cut: every shot video in storyboard order, joined, stored, linked from the project. */
export async function runFinalCut(job: Job): Promise<Outcome> {
  await requireLiveProject(job.project_id);
  const { withVideo, skipped } = await projectClips(job.project_id);
  if (withVideo.length === 0) {
    throw new JobFailure({
      code: "no_videos",
      message: `项目 ${job.project_id} 的分镜都没有生成视频`,
    });
  }
  const dir = await mkdtemp(join(tmpdir(), "final-cut-"));
  try {
    const paths: string[] = [];
    for (const [i, board] of withVideo.entries()) {
      const path = join(dir, `clip-${i}.mp4`);
      await writeFile(path, (await loadMedia(board.shotVideoUrl as string, "video")).bytes);
      paths.push(path);
    }
    // The first clip sets the frame; matching clips are then joined without re-encoding.
    const first = await probe(paths[0] as string);
    const [num = 24, den = 1] = first.video.frameRate.split("/").map(Number);
    const fps = Math.round(num / (den || 1)) || 24;
    const out = join(dir, "final.mp4");
    const cut = await composeClips(
      paths,
      out,
      { width: first.video.width, height: first.video.height, fps },
      dir,
    );
    const { storage } = await providers();
    const url = await storage.put(
      `projects/${job.project_id}/final/${job.job_id}.mp4`,
      await readFile(out),
      "video/mp4",
    );
    await (await db())
      .update(projects)
      .set({ videoUrl: url })
      .where(and(eq(projects.id, job.project_id), isNull(projects.deletedAt)));
    return {
      kind: "done",
      result: {
        video_url: url,
        method: cut.method,
        duration: cut.duration,
        size_bytes: cut.output.sizeBytes,
        clips: cut.clips.map((c, i) => ({
          storyboard_id: withVideo[i]?.id,
          duration: c.duration,
          width: c.video.width,
          height: c.video.height,
          video_codec: c.video.codec,
          audio_codec: c.audio?.codec ?? null,
        })),
        skipped_storyboard_ids: skipped,
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
