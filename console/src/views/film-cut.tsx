import type { StudioClient } from "@storyboard-studio/client";
import { useEffect, useState } from "preact/hooks";
import { call, describeError } from "../api.ts";

type ExportFormat = "fcpxml" | "otio" | "edl" | "srt" | "vtt";
const EXPORTS: [ExportFormat, string, string][] = [
  ["fcpxml", "FCPXML (Final Cut Pro, DaVinci Resolve)", "fcpxml"],
  ["otio", "OpenTimelineIO", "otio"],
  ["edl", "EDL (CMX 3600)", "edl"],
  ["srt", "Subtitles (SRT)", "srt"],
  ["vtt", "Subtitles (WebVTT)", "vtt"],
];

/** The project's current cut as text, through the API (so an API key is sent with it). */
async function exportText(api: StudioClient, projectId: number, format: ExportFormat) {
  return call(
    api.GET("/api/v1/projects/{project_id}/export", {
      params: { path: { project_id: projectId }, query: { format } },
      parseAs: "text",
    }),
  ) as Promise<string>;
}

export interface FinalCutProps {
  api: StudioClient;
  projectId: number;
  videoUrl: string;
  stale: boolean;
  /** The subtitles' language, when a render told it ("und" otherwise). */
  language?: string | undefined;
}

/**
 * The final cut with its subtitles. The WebVTT comes from the export route, which always
 * describes the cut the project shows, and is handed to the player as a same-origin blob: a
 * `<track>` from another origin (the storage domain) would need CORS. The player is created only
 * once the track is known, so `default` turns the subtitles on from the start.
 */
export function FinalCut(props: FinalCutProps) {
  const { api, projectId, videoUrl } = props;
  const [track, setTrack] = useState<string | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    let url: string | null = null;
    setTrack(undefined);
    exportText(api, projectId, "vtt")
      .then((vtt) => {
        url = URL.createObjectURL(new Blob([vtt], { type: "text/vtt" }));
        if (live) setTrack(url);
      })
      // A cut without subtitles still plays; the reason shows beside it.
      .catch((failure) => {
        if (!live) return;
        setTrack(null);
        setError(`Subtitles unavailable: ${describeError(failure)}`);
      });
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [api, projectId, videoUrl]);

  const download = async (format: ExportFormat, extension: string) => {
    setError(null);
    try {
      const text = await exportText(api, projectId, format);
      const link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([text]));
      link.download = `project-${projectId}.${extension}`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (failure) {
      setError(describeError(failure));
    }
  };

  return (
    <div class="final-cut">
      {props.stale && (
        <p class="stale">
          Out of date: a shot, the order or the sound changed since this cut. Render again to update
          it.
        </p>
      )}
      {track === undefined ? (
        <p class="film-hint">Loading the final cut…</p>
      ) : (
        // biome-ignore lint/a11y/useMediaCaption: the subtitles track is there whenever the cut has one
        <video
          key={`${videoUrl} ${track}`}
          controls
          playsInline
          preload="metadata"
          src={videoUrl}
          aria-label="Final cut"
          class="player"
        >
          {track && (
            <track
              kind="subtitles"
              default
              src={track}
              srcLang={props.language ?? "und"}
              label="Subtitles"
            />
          )}
        </video>
      )}
      <div class="film-row">
        <a href={videoUrl} download>
          Download MP4
        </a>
        <details>
          <summary>Export the timeline</summary>
          <ul class="export-list">
            {EXPORTS.map(([format, words, extension]) => (
              <li key={format}>
                <button type="button" onClick={() => download(format, extension)}>
                  {words}
                </button>
              </li>
            ))}
          </ul>
        </details>
      </div>
      <div role="alert" class="alert">
        {error}
      </div>
    </div>
  );
}
