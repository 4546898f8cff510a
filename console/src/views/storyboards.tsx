import { call, type Schemas } from "../api.ts";
import { ConfirmButton, Feedback, Section, useAction } from "../ui.tsx";
import type { ProjectViewProps } from "./props.ts";
import { ShotCard } from "./shot-card.tsx";
import { STORYBOARDS_STEP, TemplatePicker, useTemplateChoice } from "./template-picker.tsx";

type Shot = Schemas["Storyboard"];

/** Script + asset images → shots; then each shot edited, moved, added or removed by hand. */
export function StoryboardsView(
  props: ProjectViewProps & { assets: Schemas["Asset"][]; storyboards: Shot[] },
) {
  const { api, project, assets, storyboards, onChanged } = props;
  const action = useAction();
  const template = useTemplateChoice(api, STORYBOARDS_STEP, action);
  const script = project.full_script ?? "";
  const missingImages = assets.filter((a) => !a.original_url).length;

  const generate = () =>
    action.run("Splitting the script into shots", async () => {
      if (!script.trim()) throw new Error("Write or generate the script first.");
      await call(
        api.POST("/api/v1/projects/{project_id}/generate-storyboards", {
          params: { path: { project_id: project.id } },
          body: { script, prompt_template: template.prompt() },
        }),
      );
      await onChanged();
    });

  const move = async (shot: Shot, by: -1 | 1) => {
    const ids = storyboards.map((s) => s.id);
    const from = ids.indexOf(shot.id);
    const to = from + by;
    if (from < 0 || to < 0 || to >= ids.length) return;
    [ids[from], ids[to]] = [ids[to] as number, ids[from] as number];
    await call(
      api.PUT("/api/v1/projects/{project_id}/storyboards/order", {
        params: { path: { project_id: project.id } },
        body: { storyboard_ids: ids },
      }),
    );
    await onChanged();
    // Focus follows the moved shot, so a keyboard user can keep moving it.
    document.getElementById(`shot-${shot.id}-title`)?.focus();
  };

  return (
    <Section id="storyboards" title="3. Storyboards">
      <div class="stack">
        <TemplatePicker id="storyboard-template" label="Storyboard template" template={template} />
        <div class="row">
          {storyboards.length === 0 ? (
            <button type="button" disabled={!!action.busy || !template.choices} onClick={generate}>
              Generate storyboards
            </button>
          ) : (
            <ConfirmButton
              label="Generate storyboards again"
              question={`Replace all ${storyboards.length} shots with new ones?`}
              confirmLabel="Yes, replace the shots"
              disabled={!!action.busy || !template.choices}
              onConfirm={generate}
            />
          )}
          {!script.trim() ? <span class="muted">Needs a script first.</span> : null}
          {script.trim() && missingImages ? (
            <span class="muted">
              {missingImages} asset{missingImages === 1 ? "" : "s"} still without an image.
            </span>
          ) : null}
        </div>
      </div>
      <Feedback {...action} />
      {storyboards.length ? (
        <ol class="cards shots">
          {storyboards.map((shot, index) => (
            <ShotCard
              key={shot.id}
              {...props}
              shot={shot}
              index={index}
              count={storyboards.length}
              onMove={move}
            />
          ))}
        </ol>
      ) : (
        <p>No shots yet.</p>
      )}
    </Section>
  );
}
