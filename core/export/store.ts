import { and, desc, eq, isNull } from "drizzle-orm";
import { db } from "../db/client.ts";
import { versions } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { requireLiveProject } from "../projects.ts";
import type { CutExport } from "./timeline.ts";

/**
 * A final cut is kept as a version of kind `cut` of its project (no storyboard or asset): its
 * `url` is the cut's, `inputs` the timeline it was made from (CutExport), `provenance` the job
 * and the files made beside it. The export reads the one whose URL is the project's current
 * `video_url`, so it always describes the cut the project shows.
 */
export const CUT_KIND = "cut";

export interface CutFiles {
  job_id: string;
  subtitles_url: string | null;
  srt_url: string | null;
  audio_url: string | null;
}

export async function keepCut(url: string, cut: CutExport, files: CutFiles): Promise<void> {
  await (await db()).insert(versions).values({
    projectId: cut.project_id,
    kind: CUT_KIND,
    url,
    source: "generated",
    provenance: files,
    inputs: cut,
  });
}

/**
 * The timeline of the project's current cut. A project without a cut, or whose cut was made
 * before timelines were kept, is 409 `no_cut`: the project exists, it only has nothing to export
 * yet (an unknown or deleted project is the usual 404).
 */
export async function currentCut(projectId: number): Promise<CutExport> {
  const project = await requireLiveProject(projectId);
  if (!project.videoUrl) {
    throw new AppError(
      409,
      "no_cut",
      `Project ${projectId} has no final cut yet: compose or render it, then export`,
    );
  }
  const [kept] = await (await db())
    .select({ inputs: versions.inputs })
    .from(versions)
    .where(
      and(
        // A project's own versions have no storyboard: the storyboard index finds them.
        isNull(versions.storyboardId),
        eq(versions.kind, CUT_KIND),
        eq(versions.projectId, projectId),
        eq(versions.url, project.videoUrl),
      ),
    )
    .orderBy(desc(versions.id))
    .limit(1);
  if (!kept) {
    throw new AppError(
      409,
      "no_cut",
      `The final cut of project ${projectId} was made before cut timelines were kept: compose it again to export it`,
    );
  }
  return kept.inputs as CutExport;
}
