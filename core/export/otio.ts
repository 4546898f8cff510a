import { type Edit, editsOf, framesOf, sourceFrameAt } from "./edits.ts";
import type { CutExport, ExportAudio } from "./timeline.ts";

/**
 * OpenTimelineIO JSON (`.otio`): Timeline → Stack → Tracks (Video, then the narration and music
 * as Audio tracks) of Clips with an ExternalReference to each file, every time a RationalTime
 * at the cut's frame rate. Clips sit end to end at their edit points with Transitions between
 * them (a dissolve overlapping both, a fade through black as a custom transition); a held last
 * frame is a second clip of the same file with a FreezeFrame effect; silence on an audio track
 * is a Gap.
 */

type Json = Record<string, unknown>;

export function toOtio(cut: CutExport): string {
  const rate = cut.fps;
  const rt = (frames: number): Json => ({ OTIO_SCHEMA: "RationalTime.1", rate, value: frames });
  const range = (start: number, duration: number): Json => ({
    OTIO_SCHEMA: "TimeRange.1",
    start_time: rt(start),
    duration: rt(duration),
  });
  const frames = (seconds: number) => framesOf(seconds, rate);
  const reference = (url: string, duration: number | null): Json => ({
    OTIO_SCHEMA: "ExternalReference.1",
    name: "",
    target_url: url,
    available_range: duration ? range(0, frames(duration)) : null,
    available_image_bounds: null,
    metadata: {},
  });
  const clip = (
    name: string,
    url: string,
    media: number | null,
    source: Json,
    more: Json = {},
  ): Json => ({
    OTIO_SCHEMA: "Clip.2",
    name,
    source_range: source,
    media_references: { DEFAULT_MEDIA: reference(url, media) },
    active_media_reference_key: "DEFAULT_MEDIA",
    effects: [],
    markers: [],
    enabled: true,
    metadata: {},
    ...more,
  });
  const gap = (duration: number): Json => ({
    OTIO_SCHEMA: "Gap.1",
    name: "",
    source_range: range(0, duration),
    effects: [],
    markers: [],
    enabled: true,
    metadata: {},
  });
  const track = (name: string, kind: "Video" | "Audio", children: Json[]): Json => ({
    OTIO_SCHEMA: "Track.1",
    name,
    kind,
    source_range: null,
    children,
    effects: [],
    markers: [],
    enabled: true,
    metadata: {},
  });

  const video: Json[] = [];
  for (const edit of editsOf(cut)) {
    if (edit.transition) video.push(transitionOf(edit, rt));
    const shot = edit.shot;
    const meta = { storyboard: { storyboard_id: shot.storyboard_id, position: shot.position } };
    // The part that plays, then the held last frame as its own frozen clip.
    const playEnd = Math.min(edit.editOut, edit.start + edit.clipFrames);
    if (playEnd > edit.editIn) {
      video.push(
        clip(
          shot.name,
          shot.url,
          shot.media_duration,
          range(sourceFrameAt(edit, edit.editIn), playEnd - edit.editIn),
          {
            metadata: meta,
          },
        ),
      );
    }
    const holdFrom = Math.max(edit.editIn, playEnd);
    if (edit.editOut > holdFrom) {
      video.push(
        clip(
          `${shot.name} (hold)`,
          shot.url,
          shot.media_duration,
          range(sourceFrameAt(edit, holdFrom), edit.editOut - holdFrom),
          {
            metadata: meta,
            effects: [
              {
                OTIO_SCHEMA: "FreezeFrame.1",
                name: "",
                effect_name: "FreezeFrame",
                time_scalar: 0,
                metadata: {},
              },
            ],
          },
        ),
      );
    }
  }

  const audioTrack = (name: string, clips: ExportAudio[]) => {
    const children: Json[] = [];
    let at = 0;
    for (const c of [...clips].sort((a, b) => a.start - b.start)) {
      const start = Math.max(at, frames(c.start));
      if (start > at) children.push(gap(start - at));
      const length = Math.max(1, Math.floor(c.duration * rate));
      children.push(
        clip(c.name, c.url, c.media_duration, range(frames(c.source_start), length), {
          metadata: c.storyboard_id ? { storyboard: { storyboard_id: c.storyboard_id } } : {},
        }),
      );
      at = start + length;
    }
    return track(name, "Audio", children);
  };

  const timeline = {
    OTIO_SCHEMA: "Timeline.1",
    name: cut.name,
    global_start_time: rt(0),
    metadata: { storyboard: { project_id: cut.project_id, width: cut.width, height: cut.height } },
    tracks: {
      OTIO_SCHEMA: "Stack.1",
      name: "tracks",
      source_range: null,
      effects: [],
      markers: [],
      enabled: true,
      metadata: {},
      children: [
        track("Video", "Video", video),
        audioTrack("Narration", cut.narration),
        audioTrack("Music", cut.music),
      ],
    },
  };
  return `${JSON.stringify(timeline, null, 2)}\n`;
}

function transitionOf(edit: Edit, rt: (frames: number) => Json): Json {
  const t = edit.transition as NonNullable<Edit["transition"]>;
  // Offsets around the edit point: how far the transition reaches into each clip.
  const before = edit.editIn - t.start;
  const after = t.end - edit.editIn;
  return {
    OTIO_SCHEMA: "Transition.1",
    name: t.kind === "dissolve" ? "Cross Dissolve" : "Fade to Black",
    transition_type: t.kind === "dissolve" ? "SMPTE_Dissolve" : "Custom_Transition",
    in_offset: rt(before),
    out_offset: rt(after),
    metadata: { storyboard: { transition: t.kind } },
  };
}
