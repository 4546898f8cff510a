import { type CutExport, cutExportOf } from "../../core/export/timeline.ts";
import { planCut, timelineOf } from "../../core/media/timeline.ts";
import { cuesOf } from "../../core/subtitles/cues.ts";

/**
 * A cut with every kind of edit the exports must carry: a plain cut, a dissolve, a fade through
 * black, a shot whose last frame is held under its speech, narration on two shots and a music
 * file shorter than the cut (looped).
 */
export function sampleCut(name = "Harbour & <Lights>", projectId = 7): CutExport {
  const shots = [
    { storyboard_id: 101, clipSeconds: 2 },
    { storyboard_id: 102, clipSeconds: 2, transition: "dissolve" as const, speechSeconds: 2.6 },
    { storyboard_id: 103, clipSeconds: 2, transition: "fade" as const },
    { storyboard_id: 104, clipSeconds: 1.5, speechSeconds: 1.2 },
  ];
  const timeline = timelineOf(planCut(shots, { fps: 24, transitionSeconds: 0.5 }));
  const media = new Map(
    shots.map((s, i) => [
      s.storyboard_id,
      {
        position: i + 1,
        url: `http://127.0.0.1:3000/files/projects/7/shots/${s.storyboard_id}.mp4`,
        video_version_id: 900 + i,
        media_duration: s.clipSeconds,
        width: i === 3 ? 720 : 1280,
        height: 720,
        has_audio: true,
      },
    ]),
  );
  const narration = new Map([
    [102, { url: "http://127.0.0.1:3000/files/n/102.wav", duration_seconds: 2.6 }],
    [104, { url: "http://127.0.0.1:3000/files/n/104.wav", duration_seconds: 1.2 }],
  ]);
  const cues = cuesOf(
    timeline.shots
      .filter((s) => s.speech)
      .map((s) => ({
        storyboard_id: s.storyboard_id,
        start: s.start,
        end: s.end,
        lines: [{ text: `Line of shot ${s.storyboard_id}, spoken & timed.`, start: 0.1, end: 1.1 }],
      })),
  );
  return cutExportOf({
    project: { id: projectId, name },
    timeline,
    size: { width: 1280, height: 720 },
    media,
    narration,
    music: { url: "http://127.0.0.1:3000/files/music.mp3", media_duration: 3 },
    cues,
    language: "eng",
  });
}
