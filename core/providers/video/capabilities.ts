import type { Config } from "../../config.ts";
import { AppError } from "../../errors.ts";
import { videoVendors } from "../../models/vendors.ts";

/**
 * What each video model accepts: one table, read by the submit-time checks, the adapters' last
 * guard before a paid start, the render's plan and `GET /models`. Sources: CAPABILITIES.md.
 */
export interface VideoCapabilities {
  /** The model id as the provider spells it. */
  id: string;
  /** Image-to-video from a first frame. */
  first_frame: boolean;
  /** A frame the video must end on (with a first frame only). */
  last_frame: boolean;
  /** Most reference images ("ingredients", type ASSET) per request; 0: not supported. */
  reference_images: number;
  /** Allowed lengths in seconds. */
  durations: number[];
  aspect_ratios: string[];
  resolutions: string[];
  /** The video comes with its own sound. */
  audio: boolean;
  /** Lengths allowed at 1080p, when narrower than `durations`. */
  hd_durations?: number[];
  /** Lengths allowed with reference images, when narrower than `durations`. */
  reference_durations?: number[];
}

type Features = Omit<VideoCapabilities, "id">;

/** Veo 3.1 (standard and fast, Gemini API and Vertex AI ids). */
const VEO_31: Features = {
  first_frame: true,
  last_frame: true,
  reference_images: 3,
  durations: [4, 6, 8],
  aspect_ratios: ["16:9", "9:16"],
  resolutions: ["720p", "1080p"],
  audio: true,
  hd_durations: [8],
  reference_durations: [8],
};

/** Veo 3.0: image-to-video from a first frame only. */
const VEO_30: Features = {
  first_frame: true,
  last_frame: false,
  reference_images: 0,
  durations: [4, 6, 8],
  aspect_ratios: ["16:9", "9:16"],
  resolutions: ["720p", "1080p"],
  audio: true,
  hd_durations: [8],
};

/** A model this table does not know: only what every Veo route takes (a first frame). */
const CONSERVATIVE: Features = { ...VEO_30 };

const TABLE: Record<string, Features> = {
  "veo-3.1-generate-preview": VEO_31,
  "veo-3.1-fast-generate-preview": VEO_31,
  "veo-3.1-generate-001": VEO_31,
  "veo-3.1-fast-generate-001": VEO_31,
  "veo-3.0-generate-001": VEO_30,
  "veo-3.0-fast-generate-001": VEO_30,
  // The Interactions API takes text and images as input content, with no first/last-frame or
  // reference semantics: the image is the first frame, nothing more is sent.
  "gemini-omni-video": {
    first_frame: true,
    last_frame: false,
    reference_images: 0,
    durations: [4, 6, 8],
    aspect_ratios: ["16:9", "9:16"],
    resolutions: ["720p", "1080p"],
    audio: true,
  },
  // ffmpeg can make anything; it mirrors Veo 3.1 (plus 1:1) so offline runs take the same paths.
  "offline-video-v1": {
    first_frame: true,
    last_frame: true,
    reference_images: 3,
    durations: [4, 6, 8],
    aspect_ratios: ["16:9", "9:16", "1:1"],
    resolutions: ["720p", "1080p"],
    audio: true,
  },
};

const ALIASES: Record<string, string> = { offline: "offline-video-v1" };

/** A second-wave vendor's model: its row lives with its adapter (core/providers/video/<vendor>). */
const vendorRow = (id: string): VideoCapabilities | undefined =>
  videoVendors.flatMap((v) => v.models).find((m) => m.id === id)?.capabilities;

/** Every model id the table knows (for `GET /models` and error messages). */
export const knownVideoModels = (): string[] => [
  ...Object.keys(TABLE),
  ...videoVendors.flatMap((v) => v.models.map((m) => m.id)),
];

/** The capabilities of a model id; an unknown id gets the conservative first-frame-only set. */
export function capabilitiesOf(modelId: string): VideoCapabilities {
  const id = ALIASES[modelId] ?? modelId;
  const own = TABLE[id];
  if (own) return { id: modelId, ...own };
  const vendor = vendorRow(id);
  return vendor ? { ...vendor, id: modelId } : { id: modelId, ...CONSERVATIVE };
}

/** The video model the configured route calls (without loading its adapter or SDK). */
export function activeVideoModel(
  cfg: Pick<Config, "videoRoute" | "VEO_MODEL" | "VERTEX_VEO_MODEL" | "INTERACTIONS_VIDEO_MODEL">,
): string {
  switch (cfg.videoRoute) {
    case "vertex":
      return cfg.VERTEX_VEO_MODEL;
    case "interactions":
      return cfg.INTERACTIONS_VIDEO_MODEL;
    case "gemini":
      return cfg.VEO_MODEL;
    default:
      return "offline-video-v1";
  }
}

/** What a shot video asks for: the images only need to be present (bytes, URLs, anything). */
export interface VideoAsk {
  image?: unknown;
  lastFrame?: unknown;
  referenceImages?: readonly unknown[];
  durationSeconds: number;
  aspectRatio: string;
  resolution: string;
}

/** A value changed to one the model supports, said in the plan, the job and provenance. */
export interface VideoMapping {
  field: "duration_seconds" | "aspect_ratio" | "resolution";
  requested: string | number;
  used: string | number;
  reason: string;
}

export interface CheckedVideoRequest {
  model: string;
  durationSeconds: number;
  aspectRatio: string;
  resolution: string;
  mapped: VideoMapping[];
}

const unsupported = (detail: string) => new AppError(400, "capability_unsupported", detail);

/** The closest allowed number; a tie goes to the longer one (a shot is not cut short). */
const nearestNumber = (wanted: number, allowed: number[]) =>
  allowed.reduce((best, n) => {
    const d = Math.abs(n - wanted) - Math.abs(best - wanted);
    return d < 0 || (d === 0 && n > best) ? n : best;
  });

const ratioOf = (aspect: string) => {
  const [w, h] = aspect.split(":").map(Number);
  return (w as number) / (h as number);
};

/** The closest allowed shape (by log of width/height); a tie goes to the first listed. */
const nearestAspect = (wanted: string, allowed: string[]) =>
  allowed.reduce((best, a) =>
    Math.abs(Math.log(ratioOf(a) / ratioOf(wanted))) <
    Math.abs(Math.log(ratioOf(best) / ratioOf(wanted)))
      ? a
      : best,
  );

/**
 * Checks a shot video request against the model's capabilities before anything is paid for.
 * An input the model cannot take (a last frame, reference images, or references together with
 * a frame) is a 400 `capability_unsupported` naming the capability; a length, shape or
 * resolution it does not offer is mapped to the nearest it does, and every mapping is returned.
 */
export function checkVideoRequest(modelId: string, request: VideoAsk): CheckedVideoRequest {
  const caps = capabilitiesOf(modelId);
  const references = request.referenceImages?.length ?? 0;
  if (request.image && !caps.first_frame)
    throw unsupported(`first_frame is not supported by ${modelId}`);
  if (request.lastFrame && !caps.last_frame)
    throw unsupported(`last_frame is not supported by ${modelId}`);
  if (references > 0 && caps.reference_images === 0)
    throw unsupported(`reference_images is not supported by ${modelId}`);
  if (references > caps.reference_images)
    throw unsupported(
      `reference_images: ${modelId} takes at most ${caps.reference_images}, ${references} given`,
    );
  if (references > 0 && (request.image || request.lastFrame))
    throw unsupported(
      `reference_images cannot be combined with a first_frame or last_frame (${modelId} makes reference-to-video from the prompt and the references alone)`,
    );
  if (request.lastFrame && !request.image)
    throw unsupported(`last_frame needs a first_frame on ${modelId}`);
  if (!request.image && references === 0)
    throw unsupported(`${modelId} needs a first_frame or reference_images`);

  const mapped: VideoMapping[] = [];
  const aspectRatio = caps.aspect_ratios.includes(request.aspectRatio)
    ? request.aspectRatio
    : nearestAspect(request.aspectRatio, caps.aspect_ratios);
  if (aspectRatio !== request.aspectRatio)
    mapped.push({
      field: "aspect_ratio",
      requested: request.aspectRatio,
      used: aspectRatio,
      reason: `${modelId} offers ${caps.aspect_ratios.join(", ")}`,
    });
  const durations =
    references > 0 && caps.reference_durations ? caps.reference_durations : caps.durations;
  const durationSeconds = nearestNumber(request.durationSeconds, durations);
  if (durationSeconds !== request.durationSeconds)
    mapped.push({
      field: "duration_seconds",
      requested: request.durationSeconds,
      used: durationSeconds,
      reason: `${modelId} makes ${durations.join(", ")} s${references > 0 ? " with reference images" : ""}`,
    });
  let resolution = caps.resolutions.includes(request.resolution)
    ? request.resolution
    : (caps.resolutions[0] as string);
  let reason = `${modelId} offers ${caps.resolutions.join(", ")}`;
  // 1080p comes only at some lengths: the shot keeps its length (the film's timing and the bill
  // depend on it) and drops to the highest resolution offered at that length.
  if (resolution === "1080p" && caps.hd_durations && !caps.hd_durations.includes(durationSeconds)) {
    resolution = caps.resolutions.find((r) => r !== "1080p") ?? resolution;
    reason = `${modelId} makes 1080p only at ${caps.hd_durations.join(", ")} s`;
  }
  if (resolution !== request.resolution)
    mapped.push({ field: "resolution", requested: request.resolution, used: resolution, reason });
  return { model: modelId, durationSeconds, aspectRatio, resolution, mapped };
}
