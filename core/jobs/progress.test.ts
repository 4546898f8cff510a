import { describe, expect, it } from "vitest";
import { throttledProgress } from "./progress.ts";

/** A report that records values and lets the test decide when each write finishes. */
function recorder() {
  const written: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const report = async (value: number) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await Promise.resolve();
    written.push(value);
    inFlight--;
  };
  return { written, report, maxInFlight: () => maxInFlight };
}

describe("throttled job progress", () => {
  it("writes every 5 points, or a smaller move once the interval passed; never down, never 100", async () => {
    let clock = 0;
    const { written, report, maxInFlight } = recorder();
    const progress = throttledProgress(report, { step: 5, intervalMs: 3000, now: () => clock });
    for (let v = 0; v <= 12; v += 0.5) progress.set(v); // byte-level callbacks: many, tiny
    progress.set(3); // a phase restarting lower is ignored
    clock += 2999;
    progress.set(11); // small move, too soon
    clock += 1;
    progress.set(11); // small move, interval passed
    progress.set(250);
    await progress.settle();
    expect(written).toEqual([5, 10, 11, 99]);
    expect(maxInFlight()).toBe(1);
  });

  it("maps a phase's share onto its range", async () => {
    const { written, report } = recorder();
    const progress = throttledProgress(report, { step: 1 });
    const upload = progress.phase(90, 99);
    upload(0.5);
    upload(2);
    await progress.settle();
    expect(written).toEqual([94, 99]);
  });

  it("rethrows the first failed write and sends no more after it", async () => {
    const sent: number[] = [];
    const progress = throttledProgress(
      async (value) => {
        sent.push(value);
        if (value === 10) throw new Error("table unavailable");
      },
      { step: 5 },
    );
    progress.set(5);
    progress.set(10);
    progress.set(15);
    await expect(progress.settle()).rejects.toThrow("table unavailable");
    expect(sent).toEqual([5, 10]);
  });
});
