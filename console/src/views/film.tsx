import { useEffect, useState } from "preact/hooks";
import { call, describeError, isFinished, type Job, type Schemas } from "../api.ts";
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
 * Jobs still running when the view opens are picked up again, so a reload loses no progress.
 */
export function Film(props: ProjectViewProps) {
  const { api, project } = props;
  const [shots, setShots] = useState<Schemas["Storyboard"][] | null>(null);
  const [running, setRunning] = useState<Job[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [ended, setEnded] = useState(0);
  // A render's own shot videos land one by one; its step counts say when to read them.
  const [renderSteps, setRenderSteps] = useState("");
  const [lastCut, setLastCut] = useState<{ url?: string; language?: string }>({});
  const path = { params: { path: { project_id: project.id } } };

  // Read again whenever the project is (a new frame elsewhere changes which videos are stale),
  // and as a render makes shot videos.
  useEffect(() => {
    let live = true;
    call(api.GET("/api/v1/projects/{project_id}", path))
      .then((full) => {
        if (!live) return;
        setShots(full.storyboards);
        setError(null);
      })
      .catch((failure) => live && setError(describeError(failure)));
    return () => {
      live = false;
    };
  }, [api, project, ended, renderSteps]);

  useEffect(() => {
    call(api.GET("/api/v1/projects/{project_id}/jobs", path))
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
    void props.onChanged();
  };

  // The render's own answer first: the project prop may not have been read again yet.
  const cutUrl = lastCut.url ?? project.video_url;
  const render = running.find((j) => j.type === "render_film");
  return (
    <section class="film" aria-labelledby="film-heading">
      <h2 id="film-heading">Film</h2>

      <h3 class="film-subhead">Shot videos</h3>
      {shots === null && !error && <p class="film-hint">Loading shots…</p>}
      {shots?.length === 0 && (
        <p class="film-hint">No storyboards yet: generate them above, or let a render do it.</p>
      )}
      <ol class="shot-videos">
        {shots?.map((shot) => (
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
      <div role="alert" class="alert">
        {error}
      </div>

      <h3 class="film-subhead">Final cut</h3>
      <RenderPanel
        api={api}
        projectId={project.id}
        running={render}
        onEnd={onEnd}
        onSteps={setRenderSteps}
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
