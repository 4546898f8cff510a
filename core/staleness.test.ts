import { describe, expect, it } from "vitest";
import {
  canonical,
  finalCutInputsOf,
  frameInputsOf,
  isFinalCutStale,
  isFrameStale,
  isNarrationStale,
  isVideoStale,
  narrationInputsOf,
} from "./staleness.ts";

const board = {
  framePrompt: "a cat",
  frameAssetIds: [1, 2],
  frameVersionId: 10,
  shotPrompt: "pan",
};
const assets = [
  { id: 1, imageVersionId: 5 },
  { id: 2, imageVersionId: 6 },
];
const frame = { inputs: frameInputsOf(board, assets) };

describe("staleness from the version graph", () => {
  it("a frame is fresh as made, stale when its prompt, its assets or their images change", () => {
    expect(isFrameStale(board, frame, assets)).toBe(false);
    expect(isFrameStale({ ...board, frameAssetIds: [2, 1] }, frame, assets)).toBe(false);
    expect(isFrameStale({ ...board, framePrompt: "a dog" }, frame, assets)).toBe(true);
    expect(isFrameStale({ ...board, frameAssetIds: [1] }, frame, assets)).toBe(true);
    expect(isFrameStale(board, frame, [assets[0] as never, { id: 2, imageVersionId: 7 }])).toBe(
      true,
    );
    expect(isFrameStale(board, null, assets)).toBe(false);
  });

  it("a shot video is stale when its frame version or its shot prompt changes", () => {
    const video = { inputs: { frame_version_id: 10, shot_prompt: "pan" } };
    expect(isVideoStale(board, video)).toBe(false);
    expect(isVideoStale({ ...board, frameVersionId: 11 }, video)).toBe(true);
    expect(isVideoStale({ ...board, shotPrompt: "zoom" }, video)).toBe(true);
  });

  it("the final cut is stale when a shot video, the order, narration or sound settings change", () => {
    const boards = [
      { id: 1, position: 1, videoVersionId: 20, transition: "cut", narration: "Hi", dialogue: [] },
      { id: 2, position: 2, videoVersionId: 21, transition: "fade", narration: null, dialogue: [] },
    ];
    const project = { settings: { voice: "Kore", style: "noir" }, videoUrl: "x" };
    // Stored as jsonb: key order is not kept, so the comparison must not depend on it.
    const stored = JSON.parse(canonical(finalCutInputsOf(project, boards)));
    const cut = { ...project, finalCutInputs: stored };
    expect(isFinalCutStale(cut, boards)).toBe(false);
    expect(
      isFinalCutStale({ ...cut, settings: { ...project.settings, style: "pop" } }, boards),
    ).toBe(false);
    expect(isFinalCutStale({ ...cut, settings: { voice: "Puck" } }, boards)).toBe(true);
    const swapped = [
      { ...boards[0], position: 2 },
      { ...boards[1], position: 1 },
    ] as typeof boards;
    expect(isFinalCutStale(cut, swapped)).toBe(true);
    expect(
      isFinalCutStale(cut, [boards[0], { ...boards[1], videoVersionId: 22 }] as typeof boards),
    ).toBe(true);
    expect(
      isFinalCutStale(cut, [{ ...boards[0], narration: "Hello" }, boards[1]] as typeof boards),
    ).toBe(true);
    expect(isFinalCutStale({ ...cut, videoUrl: null }, swapped)).toBe(false);
  });

  it("a narration clip is stale when its words or a speaker's voice change, not when a voice is respelled", () => {
    const shot = { narration: "Night falls.", dialogue: [{ speaker_asset_id: 7, text: "Hi." }] };
    const cast = [{ id: 7, voice: "Puck" }];
    const clip = { inputs: narrationInputsOf(shot, cast, "Kore") };
    expect(clip.inputs.voices).toEqual({ narrator: "Kore", "7": "Puck" });
    expect(isNarrationStale(shot, clip, cast, "Kore")).toBe(false);
    expect(isNarrationStale(shot, clip, [{ id: 7, voice: "puck" }], "kore")).toBe(false);
    // Whitespace around the words is not a change; the words are.
    expect(isNarrationStale({ ...shot, narration: " Night falls. " }, clip, cast, "Kore")).toBe(
      false,
    );
    expect(isNarrationStale({ ...shot, narration: "Dawn." }, clip, cast, "Kore")).toBe(true);
    expect(
      isNarrationStale(
        { ...shot, dialogue: [{ speaker_asset_id: 7, text: "Hey." }] },
        clip,
        cast,
        "Kore",
      ),
    ).toBe(true);
    expect(isNarrationStale(shot, clip, [{ id: 7, voice: "Leda" }], "Kore")).toBe(true);
    expect(isNarrationStale(shot, clip, cast, "Charon")).toBe(true);
    // A character without a voice speaks with the one its id picks (7 → Aoede), as the clip did.
    const unvoiced = [{ id: 7, voice: null }];
    const picked = { inputs: narrationInputsOf(shot, unvoiced, "Kore") };
    expect(picked.inputs.voices["7"]).toBe("Aoede");
    expect(isNarrationStale(shot, picked, [{ id: 7, voice: "Aoede" }], "Kore")).toBe(false);
    expect(isNarrationStale(shot, null, cast, "Kore")).toBe(false);
  });

  it("with narration on, the cut's fingerprint holds the clip heard; without, old cuts keep theirs", () => {
    const shot = {
      id: 1,
      position: 1,
      videoVersionId: 20,
      transition: "cut",
      narration: "Hi",
      dialogue: [],
      narrationVersionId: 30 as number | null,
    };
    const boards = [shot];
    const narrated = { settings: { narration: true }, videoUrl: "x" };
    const cut = { ...narrated, finalCutInputs: finalCutInputsOf(narrated, boards) };
    expect(isFinalCutStale(cut, boards)).toBe(false);
    expect(isFinalCutStale(cut, [{ ...shot, narrationVersionId: 31 }])).toBe(true);
    const silent = { settings: {}, videoUrl: "x" };
    const before = {
      ...silent,
      finalCutInputs: finalCutInputsOf(silent, [{ ...shot, narrationVersionId: null }]),
    };
    expect(isFinalCutStale(before, boards)).toBe(false);
  });
});
