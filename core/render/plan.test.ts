import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { estimateRender } from "./estimate.ts";
import { type PlanBoard, type PlanInput, type PlanStep, planRender } from "./plan.ts";

type State = "missing" | "stale" | "fresh";

const board = (id: number, frame: State, video: State, assetIds: number[] = []): PlanBoard => ({
  id,
  frameImageUrl: frame === "missing" ? null : `https://f/${id}.png`,
  frameStale: frame === "stale",
  shotVideoUrl: video === "missing" ? null : `https://v/${id}.mp4`,
  videoStale: video === "stale",
  frameAssetIds: assetIds,
  speaks: false,
  narrationVersionId: null,
  narrationStale: false,
});

/** A shot with words to say, and its narration clip missing, stale or fresh. */
const speaking = (id: number, clip: State): PlanBoard => ({
  ...board(id, "fresh", "fresh"),
  speaks: true,
  narrationVersionId: clip === "missing" ? null : id * 100,
  narrationStale: clip === "stale",
});

const input = (over: Partial<PlanInput> = {}): PlanInput => ({
  project: { script: "idea", fullScript: null, videoUrl: "https://cut.mp4", videoStale: false },
  settings: { continuity: "independent", narration: false },
  assets: [{ id: 1, originalUrl: "https://a/1.png" }],
  storyboards: [board(10, "fresh", "fresh")],
  onlyStale: true,
  lastFrame: false,
  ...over,
});

/** `action/reason` of one stage's step for a shot (or of the stage when there is no shot). */
const at = (plan: PlanStep[], stage: PlanStep["stage"], id?: number) => {
  const step = plan.find((s) => s.stage === stage && s.storyboard_id === id);
  return step ? [step.action, step.reason].filter(Boolean).join("/") : undefined;
};

describe("planRender: one shot, every staleness combination", () => {
  // frame, video, only_stale → frame, video, final cut (the cut itself fresh).
  const table: [State, State, boolean, string, string, string][] = [
    ["missing", "missing", true, "generate/missing", "generate/missing", "regenerate/shot_videos"],
    ["missing", "stale", true, "generate/missing", "regenerate/frame", "regenerate/shot_videos"],
    ["missing", "fresh", true, "generate/missing", "regenerate/frame", "regenerate/shot_videos"],
    ["stale", "missing", true, "regenerate/stale", "generate/missing", "regenerate/shot_videos"],
    ["stale", "stale", true, "regenerate/stale", "regenerate/frame", "regenerate/shot_videos"],
    ["stale", "fresh", true, "regenerate/stale", "regenerate/frame", "regenerate/shot_videos"],
    ["fresh", "missing", true, "keep", "generate/missing", "regenerate/shot_videos"],
    ["fresh", "stale", true, "keep", "regenerate/stale", "regenerate/shot_videos"],
    ["fresh", "fresh", true, "keep", "keep", "keep"],
    ["missing", "missing", false, "generate/missing", "generate/missing", "regenerate/forced"],
    ["missing", "fresh", false, "generate/missing", "regenerate/forced", "regenerate/forced"],
    ["stale", "stale", false, "regenerate/forced", "regenerate/forced", "regenerate/forced"],
    ["fresh", "missing", false, "regenerate/forced", "generate/missing", "regenerate/forced"],
    ["fresh", "fresh", false, "regenerate/forced", "regenerate/forced", "regenerate/forced"],
  ];
  it.each(table)(
    "frame %s, video %s, only_stale %s → %s, %s, cut %s",
    (frame, video, onlyStale, expFrame, expVideo, expCut) => {
      const plan = planRender(input({ storyboards: [board(10, frame, video)], onlyStale }));
      expect(at(plan, "frames", 10)).toBe(expFrame);
      expect(at(plan, "videos", 10)).toBe(expVideo);
      expect(at(plan, "final_cut")).toBe(expCut);
      expect(at(plan, "storyboards")).toBe("keep");
    },
  );

  it.each([
    [null, false, "generate/missing"],
    ["https://cut.mp4", true, "regenerate/stale"],
    ["https://cut.mp4", false, "keep"],
  ] as const)("final cut %s (stale %s) with fresh shots → %s", (videoUrl, videoStale, exp) => {
    const plan = planRender(
      input({ project: { script: "i", fullScript: null, videoUrl, videoStale } }),
    );
    expect(at(plan, "final_cut")).toBe(exp);
  });
});

describe("planRender: stages", () => {
  it("draws missing asset images and redraws the frames that use them", () => {
    const plan = planRender(
      input({
        assets: [
          { id: 1, originalUrl: "https://a/1.png" },
          { id: 2, originalUrl: null },
        ],
        storyboards: [board(10, "fresh", "fresh", [1]), board(11, "fresh", "fresh", [2])],
      }),
    );
    expect(plan.filter((s) => s.stage === "asset_images")).toEqual([
      { stage: "asset_images", asset_id: 1, action: "keep" },
      { stage: "asset_images", asset_id: 2, action: "generate", reason: "missing" },
    ]);
    expect(at(plan, "frames", 10)).toBe("keep");
    expect(at(plan, "frames", 11)).toBe("regenerate/asset_image");
    expect(at(plan, "videos", 11)).toBe("regenerate/frame");
    expect(at(plan, "final_cut")).toBe("regenerate/shot_videos");
  });

  it("plans storyboards from the script when there are none, and everything after them", () => {
    const plan = planRender(
      input({ storyboards: [], project: { ...input().project, videoUrl: null } }),
    );
    expect(plan.map((s) => `${s.stage}:${s.action}`)).toEqual([
      "asset_images:keep",
      "storyboards:generate",
      "frames:generate",
      "videos:generate",
      "final_cut:generate",
    ]);
  });

  it("refuses a project with neither shots nor script, or no assets to plan from", () => {
    const noScript = input({
      storyboards: [],
      project: { script: null, fullScript: " ", videoUrl: null, videoStale: false },
    });
    expect(() => planRender(noScript)).toThrow(AppError);
    expect(() => planRender(noScript)).toThrow(/no storyboards and no script/);
    expect(() => planRender(input({ storyboards: [], assets: [] }))).toThrow(/no assets/);
  });

  it("narration on: speaks missing, stale (or, forced, every) clip, keeps fresh ones, leaves out silent shots; a new clip remakes the cut", () => {
    const narration = { continuity: "independent" as const, narration: true };
    const storyboards = [
      speaking(10, "missing"),
      speaking(11, "fresh"),
      speaking(12, "stale"),
      board(13, "fresh", "fresh"),
    ];
    const plan = planRender(input({ settings: narration, storyboards }));
    expect(at(plan, "narration", 10)).toBe("generate/missing");
    expect(at(plan, "narration", 11)).toBe("keep");
    expect(at(plan, "narration", 12)).toBe("regenerate/stale");
    expect(at(plan, "narration", 13)).toBeUndefined();
    expect(plan.some((s) => s.action === "skip")).toBe(false);
    expect(at(plan, "final_cut")).toBe("regenerate/narration");
    const forced = planRender(input({ settings: narration, storyboards, onlyStale: false }));
    expect(at(forced, "narration", 11)).toBe("regenerate/forced");
    // Fresh clips: nothing to speak, the cut is kept.
    const fresh = planRender(input({ settings: narration, storyboards: [speaking(11, "fresh")] }));
    expect(at(fresh, "narration", 11)).toBe("keep");
    expect(at(fresh, "final_cut")).toBe("keep");
    // Narration off: no clip is made, stale or not.
    const off = planRender(input({ storyboards }));
    expect(off.some((s) => s.stage === "narration")).toBe(false);
  });

  it("speaks the narration of shots made from the script too, before their videos", () => {
    const plan = planRender(
      input({
        storyboards: [],
        settings: { continuity: "independent", narration: true },
        project: { ...input().project, videoUrl: null },
      }),
    );
    expect(plan.map((s) => `${s.stage}:${s.action}`)).toEqual([
      "asset_images:keep",
      "storyboards:generate",
      "frames:generate",
      "narration:generate",
      "videos:generate",
      "final_cut:generate",
    ]);
  });

  it("lists stages in order", () => {
    const plan = planRender(
      input({
        settings: { continuity: "independent", narration: true },
        assets: [{ id: 2, originalUrl: null }],
        storyboards: [board(10, "missing", "missing"), speaking(11, "stale")],
      }),
    );
    // A shot's speech is known before its video is planned (its length follows it).
    const order = ["asset_images", "storyboards", "frames", "narration", "videos", "final_cut"];
    expect(plan.some((s) => s.stage === "narration")).toBe(true);
    const stages = plan.map((s) => order.indexOf(s.stage));
    expect(stages).toEqual([...stages].sort((a, b) => a - b));
  });
});

describe("planRender: chain continuity", () => {
  const chain = { continuity: "chain" as const, narration: false };

  it("without last-frame support, takes each later first frame from the previous video (serialised)", () => {
    const plan = planRender(
      input({
        settings: chain,
        storyboards: [
          board(10, "fresh", "stale"),
          board(11, "fresh", "fresh"),
          board(12, "fresh", "fresh"),
        ],
      }),
    );
    expect(at(plan, "frames", 10)).toBe("keep");
    expect(at(plan, "videos", 10)).toBe("regenerate/stale");
    // Shot 10's new video changes shot 11's first frame, which changes shot 11's video, and so on.
    expect(plan.find((s) => s.stage === "frames" && s.storyboard_id === 11)).toMatchObject({
      action: "regenerate",
      reason: "previous_video",
      from_storyboard_id: 10,
      note: expect.stringContaining("serialised"),
    });
    expect(at(plan, "videos", 11)).toBe("regenerate/frame");
    expect(at(plan, "frames", 12)).toBe("regenerate/previous_video");
    expect(plan.find((s) => s.stage === "videos" && s.storyboard_id === 12)?.note).toMatch(
      /serialised/,
    );
  });

  it("without last-frame support and nothing stale, keeps every shot", () => {
    const plan = planRender(
      input({
        settings: chain,
        storyboards: [board(10, "fresh", "fresh"), board(11, "fresh", "fresh")],
      }),
    );
    expect(plan.filter((s) => s.action !== "keep")).toEqual([]);
  });

  it("with last-frame support, a shot whose next first frame changes is redone", () => {
    const plan = planRender(
      input({
        settings: chain,
        lastFrame: true,
        storyboards: [
          board(10, "fresh", "fresh"),
          board(11, "stale", "fresh"),
          board(12, "fresh", "fresh"),
        ],
      }),
    );
    expect(at(plan, "frames", 11)).toBe("regenerate/stale");
    expect(at(plan, "videos", 10)).toBe("regenerate/last_frame");
    expect(at(plan, "videos", 11)).toBe("regenerate/frame");
    expect(at(plan, "videos", 12)).toBe("keep");
    // Independent shots do not care about their neighbours.
    const independent = planRender(
      input({
        lastFrame: true,
        storyboards: [board(10, "fresh", "fresh"), board(11, "stale", "fresh")],
      }),
    );
    expect(at(independent, "videos", 10)).toBe("keep");
  });
});

describe("estimateRender", () => {
  const ctx = (offline: boolean) => ({
    offline: { text: offline, image: offline, video: offline },
    secondsOf: (id?: number) => (id === 11 ? 4 : 8),
  });

  it("prices every provider call from the price table; offline calls cost nothing and are not paid", () => {
    const plan = planRender(
      input({
        assets: [{ id: 2, originalUrl: null }],
        storyboards: [board(10, "missing", "missing", [2]), board(11, "fresh", "missing")],
      }),
    );
    // 1 asset image + 1 frame ($0.039 each) + 8 s and 4 s of video ($0.40/s).
    expect(estimateRender(plan, ctx(false))).toEqual({ usd: 4.878, paid_calls: 4, calls: 4 });
    expect(estimateRender(plan, ctx(true))).toEqual({ usd: 0, paid_calls: 0, calls: 4 });
  });

  it("prices narration by the characters spoken (Gemini TTS tokens); offline speech is free", () => {
    const plan = planRender(
      input({
        settings: { continuity: "independent", narration: true },
        storyboards: [speaking(10, "missing"), speaking(11, "fresh")],
      }),
    );
    const chars = { speechCharsOf: (id?: number) => (id === 10 ? 140 : 50) };
    // 140 characters: 35 text tokens in, ~10 s of audio at 32 tokens/s out (320 tokens).
    const live = estimateRender(plan, {
      ...ctx(false),
      ...chars,
      offline: { ...ctx(false).offline, speech: false },
    });
    expect(live).toMatchObject({ paid_calls: 1, calls: 1 });
    expect(live.usd).toBeCloseTo((35 * 0.5 + 320 * 9) / 1e6, 4);
    const offline = estimateRender(plan, { ...ctx(false), ...chars });
    expect(offline).toMatchObject({ usd: 0, paid_calls: 0, calls: 1 });
  });

  it("costs nothing for a plan that keeps everything", () => {
    expect(estimateRender(planRender(input()), ctx(false))).toEqual({
      usd: 0,
      paid_calls: 0,
      calls: 0,
    });
  });

  it("counts chained frames (ffmpeg) as no call, and prices new shots per shot", () => {
    const chained = planRender(
      input({
        settings: { continuity: "chain", narration: false },
        storyboards: [board(10, "fresh", "missing"), board(11, "missing", "missing")],
      }),
    );
    expect(estimateRender(chained, ctx(false))).toMatchObject({ paid_calls: 2, calls: 2 });
    const fresh = planRender(
      input({ storyboards: [], project: { ...input().project, videoUrl: null } }),
    );
    const estimate = estimateRender(fresh, ctx(false));
    expect(estimate).toMatchObject({ paid_calls: 1, calls: 1 });
    expect(estimate.per_new_shot).toEqual({ usd: 3.239, paid_calls: 2, calls: 2 });
  });
});
