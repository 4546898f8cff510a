import { describe, expect, it } from "vitest";
import { isPlainJoin, planCut, timelineOf } from "./timeline.ts";

const shot = (id: number, clipSeconds: number, more: object = {}) => ({
  storyboard_id: id,
  clipSeconds,
  ...more,
});

describe("cut timeline", () => {
  it("puts cuts end to end, in whole frames", () => {
    const plan = planCut([shot(1, 2), shot(2, 1.5)], { fps: 24 });
    expect(isPlainJoin(plan)).toBe(true);
    expect(timelineOf(plan)).toEqual({
      fps: 24,
      duration: 3.5,
      shots: [
        {
          storyboard_id: 1,
          start: 0,
          end: 2,
          clip_start: 0,
          clip_duration: 2,
          hold_seconds: 0,
          transition_in: "cut",
          transition_seconds: 0,
          speech: null,
        },
        expect.objectContaining({ storyboard_id: 2, start: 2, end: 3.5, transition_in: "cut" }),
      ],
    });
  });

  it("holds the last frame when the speech outlasts the clip, and says so", () => {
    const plan = planCut([shot(1, 2, { speechSeconds: 2.5 }), shot(2, 2, { speechSeconds: 1 })], {
      fps: 24,
      speechTailSeconds: 0.25,
    });
    const t = timelineOf(plan);
    expect(isPlainJoin(plan)).toBe(false);
    expect(t.shots[0]).toMatchObject({ start: 0, end: 2.75, hold_seconds: 0.75 });
    expect(t.shots[0]?.speech).toEqual({ start: 0, end: 2.5 });
    // A clip longer than its speech keeps its own length.
    expect(t.shots[1]).toMatchObject({ start: 2.75, end: 4.75, hold_seconds: 0 });
    expect(t.duration).toBe(4.75);
  });

  it("overlaps shots by a dissolve, and ends a shot's speech before the next one dissolves in", () => {
    const plan = planCut(
      [
        shot(1, 2, { speechSeconds: 1.8 }),
        shot(2, 2, { transition: "dissolve" }),
        shot(3, 2, { transition: "fade" }),
      ],
      { fps: 24, transitionSeconds: 0.5, speechTailSeconds: 0.2 },
    );
    const [a, b, c] = timelineOf(plan).shots;
    // Speech 1.8 s + 0.2 s tail + the 0.5 s dissolve: the first shot holds 0.5 s.
    expect(a).toMatchObject({ start: 0, end: 2.5, hold_seconds: 0.5 });
    expect(b).toMatchObject({
      start: 2,
      end: 4,
      transition_in: "dissolve",
      transition_seconds: 0.5,
    });
    // A fade goes through black: no overlap.
    expect(c).toMatchObject({ start: 4, end: 6, transition_in: "fade", transition_seconds: 0.5 });
    expect(timelineOf(plan).duration).toBe(6);
  });

  it("never starts on a transition and shortens one that does not fit its shots", () => {
    const plan = planCut(
      [shot(1, 0.25, { transition: "dissolve" }), shot(2, 2, { transition: "dissolve" })],
      { fps: 24, transitionSeconds: 1 },
    );
    expect(plan.shots.map((s) => [s.transitionIn, s.inFrames])).toEqual([
      ["cut", 0],
      ["dissolve", 2], // half of the 6-frame first shot, less its own frame
    ]);
    // Too short for any transition: a cut.
    const tiny = planCut([shot(1, 1 / 24), shot(2, 1, { transition: "fade" })], { fps: 24 });
    expect(tiny.shots[1]?.transitionIn).toBe("cut");
  });
});
