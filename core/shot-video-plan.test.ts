import { describe, expect, it } from "vitest";
import { defaultSettings } from "./settings.ts";
import { shotVideoPlanOf } from "./shot-video-plan.ts";

const plan = (
  speechSeconds: number | undefined,
  over: { duration?: number | null; resolution?: "720p" | "1080p"; references?: boolean } = {},
) =>
  shotVideoPlanOf({
    board: {
      id: 1,
      frameImageUrl: over.references ? null : "https://f/1.png",
      lastFrameUrl: null,
      durationSeconds: over.duration ?? null,
      frameAssetIds: over.references ? [5] : [],
      shotPrompt: "pan",
    },
    next: null,
    assets: [{ id: 5, originalUrl: "https://a/5.png" }],
    settings: { ...defaultSettings(), shot_seconds: 4, resolution: over.resolution ?? "720p" },
    model: "veo-3.1-generate-preview",
    speechSeconds,
  });

describe("a shot video is at least as long as its speech", () => {
  it("keeps the length asked for when the speech and its 0.3 s tail fit", () => {
    expect(plan(3.7)).toMatchObject({
      duration_seconds: 4,
      mapped: [],
      speech_seconds: 3.7,
      hold_seconds: 0,
    });
    expect(plan(undefined)).toMatchObject({
      duration_seconds: 4,
      speech_seconds: null,
      hold_seconds: 0,
    });
  });

  it("takes the shortest length the model makes that holds the speech, and says why", () => {
    const shot = plan(3.8);
    expect(shot.duration_seconds).toBe(6);
    expect(shot.mapped).toEqual([
      {
        field: "duration_seconds",
        requested: 4,
        used: 6,
        reason: expect.stringMatching(/narration lasts 3.8 s \(\+0.3 s\): 6 s is the shortest/),
      },
    ]);
    expect(plan(5.8).duration_seconds).toBe(8);
    // The storyboard's own longer length is kept.
    expect(plan(3.8, { duration: 8 }).duration_seconds).toBe(8);
  });

  it("speech longer than the longest clip: the longest, and the final cut holds the last frame", () => {
    const shot = plan(9.5);
    expect(shot).toMatchObject({ duration_seconds: 8, hold_seconds: 1.8, speech_seconds: 9.5 });
    expect(shot.mapped[0]?.reason).toMatch(/final cut holds the last frame/);
  });

  it("follows the model's other rules: reference-to-video is 8 s; 1080p only at 8 s", () => {
    expect(plan(2, { references: true }).duration_seconds).toBe(8);
    const hd = plan(4.5, { resolution: "1080p" });
    expect(hd).toMatchObject({ duration_seconds: 6, resolution: "720p" });
    expect(hd.mapped.map((m) => m.field)).toEqual(["duration_seconds", "resolution"]);
  });
});
