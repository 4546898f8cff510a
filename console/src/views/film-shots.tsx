import type { StudioClient } from "@storyboard-studio/client";
import { useEffect } from "preact/hooks";
import { call, type Job, type Schemas } from "../api.ts";
import { useFollowedJob } from "../jobs.ts";

type Storyboard = Schemas["Storyboard"];

export interface ShotVideoRowProps {
  api: StudioClient;
  shot: Storyboard;
  /** A generate_video job of this shot still running when the view opened. */
  running: Job | undefined;
  onEnd: (job: Job) => void;
}

function videoState(shot: Storyboard): { words: string; tone: string } {
  if (!shot.frame_image_url) return { words: "Needs a first frame", tone: "missing" };
  if (!shot.shot_video_url) return { words: "No video yet", tone: "missing" };
  if (shot.video_stale) return { words: "Out of date", tone: "stale" };
  return { words: "Ready", tone: "ready" };
}

/** One shot's video: its state, a player for the clip, and a button to make (or remake) it. */
export function ShotVideoRow(props: ShotVideoRowProps) {
  const { api, shot } = props;
  const video = useFollowedJob(api, props.onEnd);
  const state = videoState(shot);
  const name = `shot ${shot.position}`;

  useEffect(() => {
    if (props.running && !video.job) video.resume(props.running);
  }, [props.running?.job_id]);

  const generate = () =>
    video.start(() =>
      call(
        api.POST("/api/v1/storyboards/{storyboard_id}/generate-video", {
          params: { path: { storyboard_id: shot.id } },
          body: { shot_prompt: shot.shot_prompt },
        }),
      ),
    );

  return (
    <li class="shot-video" aria-label={`Video of shot ${shot.position}`}>
      <div class="shot-video-media">
        {shot.shot_video_url ? (
          <video
            src={shot.shot_video_url}
            preload="metadata"
            controls
            muted
            class="thumb"
            aria-label={`Video clip of ${name}`}
          />
        ) : shot.frame_image_url ? (
          <img src={shot.frame_image_url} alt={`First frame of ${name}`} class="thumb" />
        ) : (
          <div class="frame-empty">No frame</div>
        )}
      </div>
      <div class="shot-video-info">
        <p class="version-title">
          Shot {shot.position} <span class={`badge ${state.tone}`}>{state.words}</span>
        </p>
        <p class="film-hint">{shot.shot_prompt}</p>
        {video.running && video.job ? (
          <div class="film-row">
            <progress
              max={100}
              value={video.job.progress}
              aria-label={`Video progress of ${name}`}
            />
            <span aria-live="polite">
              {video.job.status === "queued" ? "Queued" : `Rendering… ${video.job.progress}%`}
            </span>
            <button type="button" onClick={video.cancel}>
              Cancel video
            </button>
          </div>
        ) : (
          <button
            type="button"
            onClick={generate}
            disabled={!shot.frame_image_url || video.running}
            aria-describedby={`shot-video-${shot.id}-hint`}
          >
            Generate video
          </button>
        )}
        <span id={`shot-video-${shot.id}-hint`} class="visually-hidden">
          for {name}
        </span>
        <div role="alert" class="alert">
          {video.error}
        </div>
      </div>
    </li>
  );
}
