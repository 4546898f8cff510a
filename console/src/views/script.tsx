import { useEffect, useState } from "preact/hooks";
import { call, type Schemas } from "../api.ts";
import { Feedback, Section, useAction } from "../ui.tsx";
import type { ProjectViewProps } from "./props.ts";
import { SCRIPT_STEP, TemplatePicker, useTemplateChoice } from "./template-picker.tsx";

/** Idea → script: the idea, the template, and the script the LLM wrote (editable). */
export function ScriptView({
  api,
  project,
  onChanged,
  assets,
}: ProjectViewProps & { assets: Schemas["Asset"][] }) {
  const [idea, setIdea] = useState(project.script ?? "");
  const [script, setScript] = useState(project.full_script ?? "");
  const action = useAction();
  const template = useTemplateChoice(api, SCRIPT_STEP, action);
  // A new script from the API (generated, or saved elsewhere) replaces the text shown.
  useEffect(() => setScript(project.full_script ?? ""), [project.full_script]);
  const projectPath = { params: { path: { project_id: project.id } } };

  const generate = () =>
    action.run("Writing the script", async () => {
      if (idea.trim() !== (project.script ?? "")) {
        await call(api.PATCH("/api/v1/projects/{project_id}", { ...projectPath, body: { idea } }));
      }
      const written = await call(
        api.POST("/api/v1/projects/{project_id}/generate-script", {
          ...projectPath,
          body: { script_or_idea: idea.trim(), prompt_template: template.prompt() },
        }),
      );
      setScript(written.full_script);
      await onChanged();
    });
  const save = () =>
    action.run("Saving the script", async () => {
      await call(
        api.PATCH("/api/v1/projects/{project_id}", {
          ...projectPath,
          body: { full_script: script },
        }),
      );
      await onChanged();
    });

  return (
    <Section id="script" title="1. Idea and script">
      <form
        class="stack"
        onSubmit={(event) => {
          event.preventDefault();
          void generate();
        }}
      >
        <label for="idea">Idea</label>
        <textarea
          id="idea"
          rows={2}
          required
          value={idea}
          onInput={(e) => setIdea(e.currentTarget.value)}
        />
        <TemplatePicker id="script-template" label="Script template" template={template} />
        <div class="row">
          <button type="submit" disabled={!!action.busy || !idea.trim() || !template.choices}>
            {project.full_script ? "Write a new script" : "Generate script"}
          </button>
          {assets.length > 0 ? (
            <span class="muted">New assets are added to the {assets.length} already here.</span>
          ) : null}
        </div>
      </form>
      {project.full_script !== null || script ? (
        <form
          class="stack"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <label for="full-script">Script</label>
          <textarea
            id="full-script"
            rows={10}
            value={script}
            onInput={(e) => setScript(e.currentTarget.value)}
          />
          <div class="row">
            <button
              type="submit"
              disabled={!!action.busy || script === (project.full_script ?? "")}
            >
              Save script
            </button>
          </div>
        </form>
      ) : null}
      <Feedback {...action} />
    </Section>
  );
}
