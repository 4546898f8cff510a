import { useEffect, useState } from "preact/hooks";
import { call, describeError, type Schemas } from "../api.ts";
import "../film.css";
import { Feedback, useAction } from "../ui.tsx";
import type { ShotViewProps } from "./props.ts";

type Version = Schemas["Version"];
type Kind = Version["kind"];

const KIND_WORDS: Record<Kind, string> = {
  frame: "Frames",
  video: "Videos",
  narration: "Narration",
  image: "Images",
};
const SOURCE_WORDS: Record<Version["source"], string> = {
  generated: "generated",
  guided: "guided by a sketch",
  uploaded: "uploaded",
  regenerated: "regenerated from a note",
};

const text = (value: unknown) => (typeof value === "string" ? value : null);
const when = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });

/**
 * Every frame, video and narration clip a shot ever had, one kind at a time, laid side by side
 * (newest first) with what made each: source, model, the prompt sent and when. Any of them can be
 * made current again; the others stay.
 */
export function ShotVersions(props: ShotViewProps) {
  const { api, shot } = props;
  const [versions, setVersions] = useState<Version[] | null>(null);
  const [kind, setKind] = useState<Kind>("frame");
  // Loading the list and selecting share one alert: either failure shows there.
  const action = useAction();
  const { setError } = action;
  const path = { params: { path: { storyboard_id: shot.id } } };

  // A new frame, video or narration changes the shot; its versions are read again then.
  useEffect(() => {
    let live = true;
    call(api.GET("/api/v1/storyboards/{storyboard_id}/versions", path))
      .then((list) => live && setVersions(list))
      .catch((failure) => live && setError(describeError(failure)));
    return () => {
      live = false;
    };
  }, [api, shot.id, shot.updated_at, shot.frame_image_url, shot.shot_video_url]);

  const select = (version: Version) =>
    action.run(`Selecting version #${version.version_id}`, async () => {
      await call(
        api.POST("/api/v1/storyboards/{storyboard_id}/versions/{version_id}/select", {
          params: { path: { storyboard_id: shot.id, version_id: version.version_id } },
        }),
      );
      setVersions((list) =>
        (list ?? []).map((v) =>
          v.kind === version.kind ? { ...v, current: v.version_id === version.version_id } : v,
        ),
      );
      await props.onChanged();
    });

  const kinds = [...new Set((versions ?? []).map((v) => v.kind))];
  const shown = (versions ?? []).filter((v) => v.kind === kind);

  return (
    <section class="shot-versions" aria-label={`Versions of shot ${shot.position}`}>
      <div class="film-row">
        <h4 class="film-subhead">Versions</h4>
        {kinds.length > 0 && (
          <label>
            Show{" "}
            <select value={kind} onChange={(e) => setKind(e.currentTarget.value as Kind)}>
              {kinds.map((k) => (
                <option value={k} key={k}>
                  {KIND_WORDS[k]} ({versions?.filter((v) => v.kind === k).length})
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {versions === null && !action.error && <p class="film-hint">Loading versions…</p>}
      {versions !== null && shown.length === 0 && (
        <p class="film-hint">No {KIND_WORDS[kind].toLowerCase()} yet.</p>
      )}
      <ol class="version-strip">
        {shown.map((version) => (
          <VersionCard
            key={version.version_id}
            version={version}
            busy={action.busy !== null}
            onSelect={() => select(version)}
          />
        ))}
      </ol>
      <Feedback {...action} />
    </section>
  );
}

function VersionCard(props: { version: Version; busy: boolean; onSelect: () => void }) {
  const { version } = props;
  const p = version.provenance;
  const prompt = text(p.prompt);
  const model = text(p.model);
  const id = `version-${version.version_id}`;
  return (
    <li class={version.current ? "version-card current" : "version-card"} aria-labelledby={id}>
      <Preview version={version} />
      <p id={id} class="version-title">
        {version.current && <strong class="badge">Current</strong>} #{version.version_id},{" "}
        {SOURCE_WORDS[version.source]}
      </p>
      <p class="film-hint">
        <time dateTime={version.created_at}>{when(version.created_at)}</time>
        {model && ` · ${model}`}
      </p>
      {prompt && (
        <details>
          <summary>Prompt</summary>
          <p class="version-prompt">{prompt}</p>
        </details>
      )}
      {version.current ? (
        <p class="film-hint">Shown in the shot now.</p>
      ) : (
        <button type="button" aria-describedby={id} disabled={props.busy} onClick={props.onSelect}>
          Select this version
        </button>
      )}
    </li>
  );
}

function Preview({ version }: { version: Version }) {
  const label = `${version.kind} version ${version.version_id}`;
  if (version.kind === "video") {
    // `preload="metadata"` shows the first frame as a thumbnail without loading the clip.
    return (
      <video src={version.url} preload="metadata" controls muted aria-label={label} class="thumb" />
    );
  }
  if (version.kind === "narration") {
    // biome-ignore lint/a11y/useMediaCaption: the words spoken are the version's prompt, shown below it
    return <audio src={version.url} preload="none" controls aria-label={label} />;
  }
  return <img src={version.url} alt={label} class="thumb" loading="lazy" />;
}
