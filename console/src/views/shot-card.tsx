import { useEffect, useRef, useState } from "preact/hooks";
import { call, type Schemas } from "../api.ts";
import { ConfirmButton, Feedback, useAction } from "../ui.tsx";
import { ShotFrame } from "./frame.tsx";
import type { ShotViewProps } from "./props.ts";
import { ShotVersions } from "./versions.tsx";

type Shot = Schemas["Storyboard"];

export interface ShotCardProps extends ShotViewProps {
  index: number;
  count: number;
  /** Moves this shot by -1 or +1 in the project's order. */
  onMove: (shot: Shot, by: -1 | 1) => Promise<unknown>;
}

interface Draft {
  frame_prompt: string;
  shot_prompt: string;
  duration: string;
  narration: string;
}

const draftOf = (shot: Shot): Draft => ({
  frame_prompt: shot.frame_prompt,
  shot_prompt: shot.shot_prompt,
  duration: shot.duration_seconds === null ? "" : String(shot.duration_seconds),
  narration: shot.narration ?? "",
});

/** Only the fields the person changed go into the PATCH: the others keep their staleness. */
function changes(shot: Shot, draft: Draft): Schemas["StoryboardPatch"] {
  const before = draftOf(shot);
  const patch: Schemas["StoryboardPatch"] = {};
  if (draft.frame_prompt !== before.frame_prompt) patch.frame_prompt = draft.frame_prompt;
  if (draft.shot_prompt !== before.shot_prompt) patch.shot_prompt = draft.shot_prompt;
  if (draft.duration !== before.duration) {
    patch.duration_seconds = draft.duration === "" ? null : Number(draft.duration);
  }
  if (draft.narration !== before.narration) patch.narration = draft.narration || null;
  return patch;
}

/** Adds a shot right after another: the two prompts are what a shot cannot be without. */
function InsertShotForm(props: ShotCardProps & { onDone: () => void }) {
  const { api, project, shot, onChanged } = props;
  const [framePrompt, setFramePrompt] = useState("");
  const [shotPrompt, setShotPrompt] = useState("");
  const action = useAction();
  const id = `insert-${shot.id}`;
  // Focus the first field once, when the form opens (not on every keystroke's render).
  const first = useRef<HTMLTextAreaElement>(null);
  useEffect(() => first.current?.focus(), []);
  return (
    <form
      class="stack insert"
      aria-label={`New shot after shot ${props.index + 1}`}
      onSubmit={(event) => {
        event.preventDefault();
        void action.run("Adding the shot", async () => {
          await call(
            api.POST("/api/v1/projects/{project_id}/storyboards", {
              params: { path: { project_id: project.id } },
              body: {
                frame_prompt: framePrompt.trim(),
                shot_prompt: shotPrompt.trim(),
                position: shot.position + 1,
              },
            }),
          );
          await onChanged();
          props.onDone();
        });
      }}
    >
      <label for={`${id}-frame`}>New shot's frame prompt</label>
      <textarea
        id={`${id}-frame`}
        rows={2}
        required
        ref={first}
        value={framePrompt}
        onInput={(e) => setFramePrompt(e.currentTarget.value)}
      />
      <label for={`${id}-shot`}>New shot's motion prompt</label>
      <textarea
        id={`${id}-shot`}
        rows={2}
        required
        value={shotPrompt}
        onInput={(e) => setShotPrompt(e.currentTarget.value)}
      />
      <div class="row">
        <button type="submit" disabled={!!action.busy || !framePrompt.trim() || !shotPrompt.trim()}>
          Add shot
        </button>
        <button type="button" onClick={props.onDone}>
          Cancel
        </button>
      </div>
      <Feedback {...action} />
    </form>
  );
}

export function ShotCard(props: ShotCardProps) {
  const { api, shot, index, count, onChanged } = props;
  const [draft, setDraft] = useState(() => draftOf(shot));
  const [inserting, setInserting] = useState(false);
  const action = useAction();
  useEffect(() => setDraft(draftOf(shot)), [shot.updated_at]);
  const number = index + 1;
  const id = `shot-${shot.id}`;
  const patch = changes(shot, draft);
  const edited = Object.keys(patch).length > 0;
  const field = (key: keyof Draft) => ({
    id: `${id}-${key}`,
    value: draft[key],
    onInput: (e: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) =>
      setDraft({ ...draft, [key]: e.currentTarget.value }),
  });
  const shotPath = { params: { path: { storyboard_id: shot.id } } };

  return (
    // Named by number only: the staleness badge is not part of the shot's name.
    <li class="card shot" aria-label={`Shot ${number}`}>
      <h3 id={`${id}-title`} tabIndex={-1}>
        Shot {number}
        {shot.frame_stale || shot.video_stale ? (
          <span class="shot-badge">
            {shot.frame_stale ? "frame out of date" : "video out of date"}
          </span>
        ) : null}
      </h3>
      <ShotFrame api={props.api} project={props.project} shot={shot} onChanged={onChanged} />
      <form
        class="stack"
        aria-label={`Edit shot ${number}`}
        onSubmit={(event) => {
          event.preventDefault();
          void action.run(`Saving shot ${number}`, async () => {
            await call(
              api.PATCH("/api/v1/storyboards/{storyboard_id}", { ...shotPath, body: patch }),
            );
            await onChanged();
          });
        }}
      >
        <label for={`${id}-frame_prompt`}>Frame prompt</label>
        <textarea rows={3} required {...field("frame_prompt")} />
        <label for={`${id}-shot_prompt`}>Shot prompt (motion)</label>
        <textarea rows={3} required {...field("shot_prompt")} />
        <label for={`${id}-duration`}>Duration (seconds)</label>
        <input type="number" min={1} max={60} step={1} {...field("duration")} />
        <label for={`${id}-narration`}>Narration</label>
        <textarea rows={2} {...field("narration")} />
        <div class="row">
          <button type="submit" disabled={!!action.busy || !edited}>
            Save shot {number}
          </button>
          {edited ? <span class="muted">Unsaved changes</span> : null}
        </div>
      </form>
      <fieldset class="row arrange">
        <legend class="visually-hidden">Arrange shot {number}</legend>
        <button
          type="button"
          disabled={!!action.busy || index === 0}
          onClick={() => action.run("Moving the shot", () => props.onMove(shot, -1))}
        >
          Move shot {number} up
        </button>
        <button
          type="button"
          disabled={!!action.busy || index === count - 1}
          onClick={() => action.run("Moving the shot", () => props.onMove(shot, 1))}
        >
          Move shot {number} down
        </button>
        <button type="button" disabled={inserting} onClick={() => setInserting(true)}>
          Insert shot after shot {number}
        </button>
        <ConfirmButton
          label={`Delete shot ${number}`}
          question={`Delete shot ${number} and its frames and videos?`}
          confirmLabel={`Yes, delete shot ${number}`}
          disabled={!!action.busy}
          onConfirm={() =>
            action.run("Deleting the shot", async () => {
              await call(api.DELETE("/api/v1/storyboards/{storyboard_id}", shotPath));
              await onChanged();
            })
          }
        />
      </fieldset>
      <Feedback {...action} />
      {inserting ? <InsertShotForm {...props} onDone={() => setInserting(false)} /> : null}
      <ShotVersions api={props.api} project={props.project} shot={shot} onChanged={onChanged} />
    </li>
  );
}
