import { describe, expect, it } from "vitest";
import { settingsOf } from "./settings.ts";

describe("project settings", () => {
  it("default to the CONTRACT's loudness (-14 LUFS) and keep a project's own", () => {
    expect(settingsOf({}).loudness_lufs).toBe(-14);
    expect(settingsOf({ loudness_lufs: -23 }).loudness_lufs).toBe(-23);
  });
});
