import { useState } from "preact/hooks";
import { call } from "../api.ts";
import { Feedback, useAction } from "../ui.tsx";
import { uploadFile } from "../upload.ts";
import "../film.css";
import type { ShotViewProps } from "./props.ts";
import { SketchPad } from "./sketch.tsx";

/**
 * A shot's first frame and the three ways to change it: draw it again from its prompt, guide a
 * new version with a sketch, or supply one's own image. Every change becomes a new version (see
 * ShotVersions), so nothing here loses the previous frame.
 */
export function ShotFrame(props: ShotViewProps) {
  const { api, shot, project } = props;
  const action = useAction();
  const busy = action.busy !== null;
  const [sketching, setSketching] = useState(false);
  const label = `shot-${shot.id}`;
  const path = { params: { path: { storyboard_id: shot.id } } };

  /** Every change is a new frame version: the project is read again after each. */
  const act = (doing: string, change: () => Promise<unknown>) =>
    action.run(doing, async () => {
      await change();
      await props.onChanged();
    });

  const generate = () =>
    act("Drawing the frame", () =>
      call(
        api.POST("/api/v1/storyboards/{storyboard_id}/generate-frame", {
          ...path,
          body: { frame_prompt: shot.frame_prompt, frame_asset_ids: shot.frame_asset_ids },
        }),
      ),
    );

  const sendGuide = (png: Blob) =>
    act("Sending the sketch and drawing a guided frame", async () => {
      const url = await uploadFile(api, png, `sketch-${shot.id}.png`);
      await call(
        api.POST("/api/v1/storyboards/{storyboard_id}/guide-frame", {
          ...path,
          body: { guide_image_url: url },
        }),
      );
      setSketching(false);
    });

  const uploadFrame = (input: HTMLInputElement) => {
    const file = input.files?.[0];
    if (!file) return;
    // Cleared at once, so the same file can be picked again after a failed upload.
    input.value = "";
    return act("Uploading the frame", async () => {
      const url = await uploadFile(api, file, file.name);
      await call(
        api.PUT("/api/v1/storyboards/{storyboard_id}/frame", { ...path, body: { image_url: url } }),
      );
    });
  };

  return (
    <section class="shot-frame" aria-label={`Frame of shot ${shot.position}`}>
      <figure class="frame-figure">
        {shot.frame_image_url ? (
          <img
            src={shot.frame_image_url}
            alt={`Current first frame of shot ${shot.position}`}
            class="frame-image"
          />
        ) : (
          <div class="frame-empty">No frame yet</div>
        )}
        {shot.frame_stale && (
          <figcaption class="stale">
            Out of date: the prompt or its assets changed after this frame was drawn.
          </figcaption>
        )}
      </figure>
      <div class="film-row">
        <button type="button" onClick={generate} disabled={busy}>
          Generate frame
        </button>
        <button
          type="button"
          aria-expanded={sketching}
          aria-controls={`${label}-sketch`}
          onClick={() => setSketching(!sketching)}
        >
          {sketching ? "Close sketch pad" : "Sketch a guide"}
        </button>
        <label class="file-button">
          Upload frame
          <input
            type="file"
            accept="image/png,image/jpeg,image/webp"
            disabled={busy}
            onChange={(e) => uploadFrame(e.currentTarget)}
          />
        </label>
      </div>
      <div id={`${label}-sketch`} hidden={!sketching}>
        {sketching && (
          <SketchPad
            aspectRatio={project.settings.aspect_ratio}
            shotLabel={label}
            frameUrl={shot.frame_image_url}
            busy={busy}
            onSend={sendGuide}
            onError={action.setError}
          />
        )}
      </div>
      <Feedback {...action} />
    </section>
  );
}
