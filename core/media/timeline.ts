/**
 * The final cut's timeline: where each shot sits in the output once transitions and holds are
 * applied. One pure function decides it in whole frames, so the picture graph, the soundtrack,
 * the subtitles and the timeline exports all agree to the sample.
 */

export type Transition = "cut" | "fade" | "dissolve";

/** How long a fade (through black) or a dissolve lasts, unless the caller says otherwise. */
export const TRANSITION_SECONDS = 0.5;
/** Silence kept after a shot's speech before the next shot (or its dissolve) begins. */
export const SPEECH_TAIL_SECONDS = 0.3;

/** One shot of the cut, as the exports and subtitles see it (seconds in the output). */
export interface CutShot {
  storyboard_id: number;
  start: number;
  end: number;
  /** Where the shot's media starts in its own clip (the cut never trims a clip's head). */
  clip_start: number;
  /** Seconds of the clip that are used. */
  clip_duration: number;
  /** Seconds the clip's last frame is held past its end, so the shot outlasts its speech. */
  hold_seconds: number;
  /** How the cut enters this shot (the first shot is always a cut). */
  transition_in: Transition;
  /** Length of that transition: a dissolve overlaps the previous shot by this much. */
  transition_seconds: number;
  /** Where the shot's speech sits in the output, when it has any. */
  speech: { start: number; end: number } | null;
}

export interface CutTimeline {
  fps: number;
  duration: number;
  shots: CutShot[];
}

export interface TimelineShotInput {
  storyboard_id: number;
  /** Seconds of the clip's video stream. */
  clipSeconds: number;
  speechSeconds?: number;
  transition?: Transition;
}

export interface TimelineOptions {
  fps: number;
  transitionSeconds?: number;
  speechTailSeconds?: number;
}

/** A shot in whole frames of the output; the timeline in seconds is derived from it. */
export interface PlannedShot {
  storyboardId: number;
  clipFrames: number;
  holdFrames: number;
  /** Frames the shot lasts: its clip plus the hold. */
  frames: number;
  startFrame: number;
  transitionIn: Transition;
  /** Frames of the transition into this shot (0 for a cut). */
  inFrames: number;
  /** Frames of the transition out of it (the next shot's `inFrames`). */
  outFrames: number;
  speechSeconds: number;
}

export interface CutPlan {
  fps: number;
  frames: number;
  shots: PlannedShot[];
}

/**
 * Every shot lasts at least as long as its speech plus a short tail (a dissolve out of it
 * counts as the next shot's time, so the speech ends before it), holding its last frame when
 * the clip is shorter. A dissolve overlaps the two shots; a fade goes through black without
 * overlap (half out, half in). Transitions are shortened on shots too short for them, and the
 * first shot always starts on a cut.
 */
export function planCut(inputs: TimelineShotInput[], o: TimelineOptions): CutPlan {
  const fps = o.fps;
  const wanted = Math.max(0, Math.round((o.transitionSeconds ?? TRANSITION_SECONDS) * fps));
  const tail = o.speechTailSeconds ?? SPEECH_TAIL_SECONDS;
  const transitions = inputs.map((s, i) => (i === 0 ? "cut" : (s.transition ?? "cut")));
  const overlapAfter = (i: number) => (transitions[i + 1] === "dissolve" ? wanted : 0);
  const shots = inputs.map((s, i): PlannedShot => {
    const clipFrames = Math.max(1, Math.round(s.clipSeconds * fps));
    const speechSeconds = s.speechSeconds ?? 0;
    const needed =
      speechSeconds > 0 ? Math.ceil((speechSeconds + tail) * fps) + overlapAfter(i) : 0;
    const frames = Math.max(clipFrames, needed);
    return {
      storyboardId: s.storyboard_id,
      clipFrames,
      holdFrames: frames - clipFrames,
      frames,
      startFrame: 0,
      transitionIn: transitions[i] as Transition,
      inFrames: 0,
      outFrames: 0,
      speechSeconds,
    };
  });
  // A transition never takes more than half of either shot, and each shot keeps one frame of
  // its own between its two transitions.
  for (const [i, shot] of shots.entries()) {
    if (i === 0 || shot.transitionIn === "cut") continue;
    const previous = shots[i - 1] as PlannedShot;
    const room = Math.min(Math.floor((previous.frames - 1) / 2), Math.floor((shot.frames - 1) / 2));
    const frames = Math.min(wanted, Math.max(0, room));
    shot.inFrames = frames;
    previous.outFrames = frames;
    if (frames === 0) shot.transitionIn = "cut";
  }
  let at = 0;
  for (const shot of shots) {
    if (shot.transitionIn === "dissolve") at -= shot.inFrames;
    shot.startFrame = at;
    at += shot.frames;
  }
  return { fps, frames: at, shots };
}

const round = (seconds: number) => Math.round(seconds * 1e6) / 1e6;

/** The plan in seconds, as the compose result, subtitles and exports carry it. */
export function timelineOf(plan: CutPlan): CutTimeline {
  const s = (frames: number) => round(frames / plan.fps);
  return {
    fps: plan.fps,
    duration: s(plan.frames),
    shots: plan.shots.map((shot) => ({
      storyboard_id: shot.storyboardId,
      start: s(shot.startFrame),
      end: s(shot.startFrame + shot.frames),
      clip_start: 0,
      clip_duration: s(shot.clipFrames),
      hold_seconds: s(shot.holdFrames),
      transition_in: shot.transitionIn,
      transition_seconds: s(shot.inFrames),
      speech:
        shot.speechSeconds > 0
          ? {
              start: s(shot.startFrame),
              end: round(shot.startFrame / plan.fps + shot.speechSeconds),
            }
          : null,
    })),
  };
}

/** True when the cut is the clips end to end: no transition, no hold (the stream-copy case). */
export const isPlainJoin = (plan: CutPlan) =>
  plan.shots.every((s) => s.transitionIn === "cut" && s.holdFrames === 0);

/** The frames at each end of a shot that a transition takes (both graphs cut shots alike). */
export function edgesOf(plan: CutPlan, i: number) {
  const shot = plan.shots[i] as PlannedShot;
  const next = plan.shots[i + 1];
  const into = shot.transitionIn;
  const out = next?.transitionIn ?? "cut";
  return {
    /** Frames blended with the previous shot's tail (a dissolve into this shot). */
    head: into === "dissolve" ? shot.inFrames : 0,
    /** Frames blended with the next shot's head. */
    tail: out === "dissolve" ? shot.outFrames : 0,
    /** A fade through black: the second half comes up from black on this shot… */
    fadeIn: into === "fade" ? shot.inFrames - Math.floor(shot.inFrames / 2) : 0,
    /** …after the first half went down to black on the previous one. */
    fadeOut: out === "fade" ? Math.floor(shot.outFrames / 2) : 0,
  };
}
