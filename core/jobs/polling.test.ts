import { describe, expect, it } from "vitest";
import {
  DEFAULT_RENDER_SECONDS,
  nextCheckSeconds,
  renderProgress,
  typicalRenderSeconds,
} from "./polling.ts";

/** The checks a render of `renderSeconds` gets: the elapsed time at each, until one sees it done. */
function checksUntilDone(typicalSeconds: number, renderSeconds: number): number[] {
  const checks: number[] = [];
  let elapsed = 0;
  while (checks.length < 1000) {
    elapsed += nextCheckSeconds({ elapsedSeconds: elapsed, typicalSeconds });
    checks.push(elapsed);
    if (elapsed >= renderSeconds) return checks;
  }
  throw new Error("never done");
}

describe("adaptive polling of a rendering video", () => {
  it("knows each route's typical render time, the offline one from its configured delay", () => {
    expect(typicalRenderSeconds("offline", "offline-video-v1", 3000)).toBe(3);
    expect(typicalRenderSeconds("offline", "offline-video-v1", 0)).toBe(0);
    expect(typicalRenderSeconds("gemini-veo", "veo-3.1-generate-preview", 3000)).toBe(70);
    expect(typicalRenderSeconds("vertex-veo", "veo-3.1-fast-generate-001", 3000)).toBe(45);
    expect(typicalRenderSeconds("gemini-veo", "veo-2.0-generate-001", 3000)).toBe(60);
    expect(typicalRenderSeconds("gemini-interactions", "gemini-omni-video", 3000)).toBe(70);
    expect(typicalRenderSeconds("gemini-veo", "some-new-model", 3000)).toBe(DEFAULT_RENDER_SECONDS);
  });

  it("checks first near the typical time, then every few seconds", () => {
    expect(nextCheckSeconds({ elapsedSeconds: 0, typicalSeconds: 60 })).toBe(51);
    expect(nextCheckSeconds({ elapsedSeconds: 51, typicalSeconds: 60 })).toBe(3);
    expect(nextCheckSeconds({ elapsedSeconds: 100, typicalSeconds: 60 })).toBe(3);
    expect(nextCheckSeconds({ elapsedSeconds: 0, typicalSeconds: 3 })).toBe(3);
    expect(nextCheckSeconds({ elapsedSeconds: 3, typicalSeconds: 3 })).toBe(1);
    // A check that ran late (a busy queue) is not followed by a long wait.
    expect(nextCheckSeconds({ elapsedSeconds: 49.5, typicalSeconds: 60 })).toBe(2);
  });

  it("spreads checks out, capped, once a render is far past its typical time", () => {
    expect(nextCheckSeconds({ elapsedSeconds: 120, typicalSeconds: 60 })).toBe(15);
    expect(nextCheckSeconds({ elapsedSeconds: 400, typicalSeconds: 200 })).toBe(30);
    expect(nextCheckSeconds({ elapsedSeconds: 40, typicalSeconds: 0 })).toBe(5);
  });

  it("never asks for less than a second, so an instant render does not spin", () => {
    expect(nextCheckSeconds({ elapsedSeconds: 0, typicalSeconds: 0 })).toBe(1);
    expect(nextCheckSeconds({ elapsedSeconds: 0.1, typicalSeconds: 0.2 })).toBe(1);
    expect(nextCheckSeconds({ elapsedSeconds: 10, typicalSeconds: 0 })).toBe(1);
  });

  it("uses VIDEO_POLL_SECONDS as a fixed interval when it is set", () => {
    expect(nextCheckSeconds({ elapsedSeconds: 0, typicalSeconds: 60, overrideSeconds: 15 })).toBe(
      15,
    );
    expect(nextCheckSeconds({ elapsedSeconds: 500, typicalSeconds: 60, overrideSeconds: 1 })).toBe(
      1,
    );
  });

  it("sees a typical 60 s render within 3 s of its end in 4 checks instead of 4 checks 15 s apart", () => {
    const adaptive = checksUntilDone(60, 60);
    expect(adaptive).toEqual([51, 54, 57, 60]);
    // A render that takes twice as long still ends with short checks, and is seen within 3 s.
    const slow = checksUntilDone(60, 118);
    expect((slow.at(-1) as number) - 118).toBeLessThanOrEqual(3);
    // Fixed 15 s polling of the same render: the end can be seen up to 15 s late.
    const fixed = [15, 30, 45, 60, 75].find((t) => t >= 61);
    expect(fixed).toBe(75);
  });

  it("shows progress from 10 to 90 over the typical time", () => {
    expect(renderProgress(0, 60)).toBe(10);
    expect(renderProgress(30, 60)).toBe(50);
    expect(renderProgress(600, 60)).toBe(90);
    expect(renderProgress(1, 0)).toBe(90);
  });
});
