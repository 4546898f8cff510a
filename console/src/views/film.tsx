import { useEffect, useState } from "preact/hooks";
import { call, isFinished, type Job, type Schemas } from "../api.ts";
import "../film.css";
import { CostSoFar } from "./film-cost.tsx";
import { FinalCut } from "./film-cut.tsx";
import { RenderPanel } from "./film-render.tsx";
import { ShotVideoRow } from "./film-shots.tsx";
import type { ProjectViewProps } from "./props.ts";

const text = (value: unknown) => (typeof value === "string" && value ? value : undefined);

/**
 * The film end of a project: each shot's video (made one at a time, or all at once by a render),
 * the one-click render with its live progress, the final cut with subtitles, and what it cost.
 * Jobs still running when the view opens are picked up again, so a reload loses no progress. The
 * shots are the project page's own: a render's steps and a job's end ask that page to read the
 * project again, so the shot cards above and the video rows here always show the same shots.
 */
export function Film(props: ProjectViewProps & { storyboards: Schemas["Storyboard"][] }) {
  const { api, project, storyboards: shots, onChanged } = props;
  const [running, setRunning] = useState<Job[]>([]);
  // Counts the jobs this view saw end: the cost is read again after each.
  const [ended, setEnded] = useState(0);
  const [lastCut, setLastCut] = useState<{ url?: string; language?: string }>({});

  useEffect(() => {
    call(
      api.GET("/api/v1/projects/{project_id}/jobs", {
        params: { path: { project_id: project.id } },
      }),
    )
      .then((jobs) => setRunning(jobs.filter((j) => !isFinished(j) && j.parent_id === null)))
      .catch(() => undefined); // Nothing to resume is no reason to alarm anyone.
  }, [api, project.id]);

  const onEnd = (job: Job) => {
    if (job.type === "render_film" && job.status === "succeeded") {
      const result = job.result ?? {};
      const subtitles = result.subtitles as { language?: unknown } | undefined;
      setLastCut({ url: text(result.video_url), language: text(subtitles?.language) });
    }
    setEnded((n) => n + 1);
    void onChanged();
  };

  // The render's own answer first: the project prop may not have been read again yet.
  const cutUrl = lastCut.url ?? project.video_url;
  const render = running.find((j) => j.type === "render_film");
  return (
    <section class="film" aria-labelledby="film-heading">
      <h2 id="film-heading">Film</h2>

      <h3 class="film-subhead">Shot videos</h3>
      {shots.length === 0 && (
        <p class="film-hint">No storyboards yet: generate them above, or let a render do it.</p>
      )}
      <ol class="shot-videos">
        {shots.map((shot) => (
          <ShotVideoRow
            key={shot.id}
            api={api}
            shot={shot}
            running={running.find(
              (j) => j.type === "generate_video" && j.storyboard_id === shot.id,
            )}
            onEnd={onEnd}
          />
        ))}
      </ol>

      <h3 class="film-subhead">Final cut</h3>
      <RenderPanel
        api={api}
        projectId={project.id}
        running={render}
        onEnd={onEnd}
        onSteps={() => void onChanged()}
      />
      {cutUrl ? (
        <FinalCut
          api={api}
          projectId={project.id}
          videoUrl={cutUrl}
          stale={project.video_stale}
          language={lastCut.language}
        />
      ) : (
        <p class="film-hint">No final cut yet: render the film to make one.</p>
      )}
      <CostSoFar api={api} projectId={project.id} refresh={ended} />
    </section>
  );
}
