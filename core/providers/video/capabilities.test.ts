import { describe, expect, it } from "vitest";
import { AppError } from "../../errors.ts";
import { activeVideoModel, capabilitiesOf, checkVideoRequest } from "./capabilities.ts";

const ask = {
  image: "first.png",
  durationSeconds: 8,
  aspectRatio: "16:9",
  resolution: "720p",
};

function refusal(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error("expected a refusal");
}

describe("video capability table", () => {
  it("knows Veo 3.1's continuity features on both APIs, and that Veo 3.0 has none", () => {
    for (const id of [
      "veo-3.1-generate-preview",
      "veo-3.1-generate-001",
      "veo-3.1-fast-generate-001",
    ]) {
      expect(capabilitiesOf(id)).toMatchObject({
        id,
        first_frame: true,
        last_frame: true,
        reference_images: 3,
        durations: [4, 6, 8],
        aspect_ratios: ["16:9", "9:16"],
        audio: true,
      });
    }
    expect(capabilitiesOf("veo-3.0-generate-001")).toMatchObject({
      last_frame: false,
      reference_images: 0,
    });
    expect(capabilitiesOf("offline").id).toBe("offline");
    expect(capabilitiesOf("offline").last_frame).toBe(true);
    // An id the table does not know gets only what every route takes.
    expect(capabilitiesOf("veo-test")).toMatchObject({ last_frame: false, reference_images: 0 });
  });

  it("names the configured route's model without loading it", () => {
    const cfg = {
      VEO_MODEL: "veo-3.1-generate-preview",
      VERTEX_VEO_MODEL: "veo-3.1-generate-001",
      INTERACTIONS_VIDEO_MODEL: "gemini-omni-video",
    };
    expect(activeVideoModel({ ...cfg, videoRoute: "gemini" })).toBe("veo-3.1-generate-preview");
    expect(activeVideoModel({ ...cfg, videoRoute: "vertex" })).toBe("veo-3.1-generate-001");
    expect(activeVideoModel({ ...cfg, videoRoute: "interactions" })).toBe("gemini-omni-video");
    expect(activeVideoModel({ ...cfg, videoRoute: "offline" })).toBe("offline-video-v1");
  });
});

describe("checkVideoRequest", () => {
  it("refuses a last frame on a model without it, naming last_frame", () => {
    const error = refusal(() =>
      checkVideoRequest("veo-3.0-generate-001", { ...ask, lastFrame: "last.png" }),
    );
    expect(error.status).toBe(400);
    expect(error.code).toBe("capability_unsupported");
    expect(error.message).toBe("last_frame is not supported by veo-3.0-generate-001");
    expect(
      refusal(() => checkVideoRequest("gemini-omni-video", { ...ask, lastFrame: 1 })).message,
    ).toMatch(/^last_frame is not supported by gemini-omni-video/);
  });

  it("refuses reference images with a first or last frame, too many, or on a model without them", () => {
    const refs = ["a", "b"];
    expect(
      refusal(() => checkVideoRequest("veo-3.1-generate-001", { ...ask, referenceImages: refs }))
        .message,
    ).toMatch(/^reference_images cannot be combined with a first_frame or last_frame/);
    const four = { ...ask, image: undefined, referenceImages: ["a", "b", "c", "d"] };
    expect(refusal(() => checkVideoRequest("veo-3.1-generate-001", four)).message).toMatch(
      /^reference_images: veo-3.1-generate-001 takes at most 3, 4 given/,
    );
    const two = { ...ask, image: undefined, referenceImages: refs };
    expect(refusal(() => checkVideoRequest("veo-3.0-generate-001", two)).message).toBe(
      "reference_images is not supported by veo-3.0-generate-001",
    );
    expect(
      refusal(() =>
        checkVideoRequest("veo-3.1-generate-001", { ...ask, image: undefined, lastFrame: "x" }),
      ).message,
    ).toMatch(/^last_frame needs a first_frame/);
    expect(
      refusal(() => checkVideoRequest("veo-3.1-generate-001", { ...ask, image: undefined })).code,
    ).toBe("capability_unsupported");
  });

  it("passes what the model offers unchanged", () => {
    expect(
      checkVideoRequest("veo-3.1-generate-preview", {
        ...ask,
        lastFrame: "last.png",
        durationSeconds: 6,
        aspectRatio: "9:16",
      }),
    ).toEqual({
      model: "veo-3.1-generate-preview",
      durationSeconds: 6,
      aspectRatio: "9:16",
      resolution: "720p",
      mapped: [],
    });
  });

  it("maps lengths, shapes and resolutions to the nearest offered, and says so", () => {
    const square = checkVideoRequest("veo-3.1-generate-001", {
      ...ask,
      aspectRatio: "1:1",
      durationSeconds: 5,
    });
    expect(square).toMatchObject({ aspectRatio: "16:9", durationSeconds: 6 });
    expect(square.mapped.map((m) => [m.field, m.requested, m.used])).toEqual([
      ["aspect_ratio", "1:1", "16:9"],
      ["duration_seconds", 5, 6],
    ]);
    // Reference-to-video is 8 s only; 1080p only at 8 s, so a 4 s shot keeps its length at 720p.
    const refs = checkVideoRequest("veo-3.1-generate-001", {
      ...ask,
      image: undefined,
      referenceImages: ["a"],
      durationSeconds: 4,
    });
    expect(refs.durationSeconds).toBe(8);
    expect(refs.mapped[0]?.reason).toMatch(/with reference images/);
    const hd = checkVideoRequest("veo-3.1-generate-001", {
      ...ask,
      durationSeconds: 4,
      resolution: "1080p",
    });
    expect(hd).toMatchObject({ durationSeconds: 4, resolution: "720p" });
    expect(hd.mapped).toEqual([
      {
        field: "resolution",
        requested: "1080p",
        used: "720p",
        reason: "veo-3.1-generate-001 makes 1080p only at 8 s",
      },
    ]);
    expect(
      checkVideoRequest("veo-3.1-generate-001", { ...ask, resolution: "1080p" }).resolution,
    ).toBe("1080p");
    // Offline makes square video itself.
    expect(checkVideoRequest("offline", { ...ask, aspectRatio: "1:1" }).mapped).toEqual([]);
  });
});
