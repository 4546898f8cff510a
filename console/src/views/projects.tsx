import type { StudioClient } from "@storyboard-studio/client";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { call, describeError, type Schemas } from "../api.ts";
import { ConfirmButton, Feedback, useAction } from "../ui.tsx";
import { AssetsView } from "./assets.tsx";
import { Film } from "./film.tsx";
import { ScriptView } from "./script.tsx";
import { StoryboardsView } from "./storyboards.tsx";

/** `GET /projects/{id}`: everything a project page shows. */
export interface ProjectBundle {
  project: Schemas["Project"];
  assets: Schemas["Asset"][];
  storyboards: Schemas["Storyboard"][];
}

function NewProjectForm({ api }: { api: StudioClient }) {
  const [name, setName] = useState("");
  const [idea, setIdea] = useState("");
  const [narrated, setNarrated] = useState(false);
  const action = useAction();
  const create = () =>
    action.run("Creating the project", async () => {
      const settings = narrated ? { narration: true, subtitles: true } : {};
      const made = await call(
        api.POST("/api/v1/projects", { body: { name: name.trim(), settings } }),
      );
      // The idea is the project's `script` (what the script is written from); kept with it.
      if (idea.trim()) {
        await call(
          api.PATCH("/api/v1/projects/{project_id}", {
            params: { path: { project_id: made.id } },
            body: { idea: idea.trim() },
          }),
        );
      }
      location.hash = `#/projects/${made.id}`;
    });
  return (
    <form
      class="panel new-project"
      aria-labelledby="new-project-title"
      onSubmit={(event) => {
        event.preventDefault();
        void create();
      }}
    >
      <h2 id="new-project-title">New project</h2>
      <label for="project-name">Project name</label>
      <input
        id="project-name"
        required
        maxLength={200}
        value={name}
        onInput={(e) => setName(e.currentTarget.value)}
      />
      <label for="project-idea">Idea (one line)</label>
      <input
        id="project-idea"
        placeholder="A lighthouse keeper finds a paper boat on the shore…"
        value={idea}
        onInput={(e) => setIdea(e.currentTarget.value)}
      />
      <label class="check">
        <input
          type="checkbox"
          checked={narrated}
          onChange={(e) => setNarrated(e.currentTarget.checked)}
        />{" "}
        Narrated, with subtitles
      </label>
      <button type="submit" disabled={!!action.busy || !name.trim()}>
        Create project
      </button>
      <Feedback {...action} />
    </form>
  );
}

export function ProjectList({ api }: { api: StudioClient }) {
  const [projects, setProjects] = useState<Schemas["ProjectSummary"][] | null>(null);
  const action = useAction();
  const load = useCallback(
    () =>
      action.run("Loading projects", async () => {
        const page = await call(
          api.GET("/api/v1/projects", { params: { query: { page: 1, size: 100 } } }),
        );
        setProjects(page.items);
      }),
    [api],
  );
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <div class="columns">
      <section class="panel" aria-labelledby="projects-title" aria-busy={projects === null}>
        <h1 id="projects-title">Projects</h1>
        {projects === null && !action.error ? <p>Loading projects…</p> : null}
        {projects?.length === 0 ? <p>No projects yet. Start one with an idea.</p> : null}
        <ul class="project-list">
          {projects?.map((p) => (
            <li key={p.id}>
              <a href={`#/projects/${p.id}`}>{p.name}</a>
              <span class="muted"> · {new Date(p.updated_at).toLocaleString()}</span>
              <ConfirmButton
                label={`Delete ${p.name}`}
                question={`Delete project “${p.name}” and everything in it?`}
                confirmLabel="Yes, delete project"
                onConfirm={() =>
                  action.run("Deleting the project", async () => {
                    await call(
                      api.DELETE("/api/v1/projects/{project_id}", {
                        params: { path: { project_id: p.id } },
                      }),
                    );
                    await load();
                  })
                }
              />
            </li>
          ))}
        </ul>
        <Feedback {...action} />
      </section>
      <NewProjectForm api={api} />
    </div>
  );
}

export function ProjectPage({ api, projectId }: { api: StudioClient; projectId: number }) {
  const [bundle, setBundle] = useState<ProjectBundle | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  // Reloads can overlap (a render's steps, a job's end, an edit): only the latest one asked for
  // is shown, so an older answer arriving late never puts back what a newer one replaced.
  const latest = useRef(0);
  // Keeps the page on screen while it refreshes: a change never blanks what is shown.
  const reload = useCallback(async () => {
    const asked = ++latest.current;
    try {
      const data = await call(
        api.GET("/api/v1/projects/{project_id}", {
          params: { path: { project_id: projectId } },
        }),
      );
      if (asked !== latest.current) return;
      setBundle(data);
      setLoadError(null);
    } catch (failure) {
      if (asked === latest.current) setLoadError(describeError(failure));
    }
  }, [api, projectId]);
  useEffect(() => {
    setBundle(null);
    void reload();
  }, [reload]);
  const loaded = bundle !== null;
  useEffect(() => {
    if (loaded) heading.current?.focus();
  }, [loaded]);

  if (!bundle) {
    return (
      <section class="panel" aria-busy={!loadError}>
        <p>
          <a href="#/">← All projects</a>
        </p>
        {loadError ? null : <p>Loading project {projectId}…</p>}
        <div class="alert" role="alert">
          {loadError ? `This project could not be opened: ${loadError}` : ""}
        </div>
      </section>
    );
  }
  const props = { api, project: bundle.project, onChanged: reload };
  return (
    <article class="project" aria-labelledby="project-title">
      <p>
        <a href="#/">← All projects</a>
      </p>
      <h1 id="project-title" ref={heading} tabIndex={-1}>
        {bundle.project.name}
      </h1>
      <div class="alert" role="alert">
        {loadError ? `Could not refresh the project: ${loadError}` : ""}
      </div>
      <ScriptView {...props} assets={bundle.assets} />
      <AssetsView {...props} assets={bundle.assets} />
      <StoryboardsView {...props} assets={bundle.assets} storyboards={bundle.storyboards} />
      {/* The film view brings its own section and heading; the panel gives it the page's frame. */}
      <div class="panel">
        <Film {...props} storyboards={bundle.storyboards} />
      </div>
    </article>
  );
}
