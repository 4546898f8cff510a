import type { Config } from "../../../config.ts";
import { failureOfStatus, isTimeout, ProviderError } from "../../errors.ts";
import type { ImageFile, VideoCheck, VideoProvider, VideoRequest } from "../../types.ts";
import { fetchVideo } from "../operation.ts";
import { paidStart, startAnswerFailure } from "../paid-start.ts";
import { modeOf, wanCapabilities } from "./models.ts";

const NAME = "dashscope";

/** The API root, whether the base URL is the origin or already ends with `/api/v1` (CONTRACT). */
export const apiRoot = (base: string) =>
  `${base.replace(/\/+$/, "").replace(/\/api\/v1$/, "")}/api/v1`;

/** Failure codes of a task the service refused for its content (README.md, "Moderation"). */
const MODERATION = /DataInspection|IPInfringement|Inappropriate|Sensitive/i;

/** Output sizes of text-to-video (`parameters.size`, "width*height") by resolution and shape. */
const T2V_SIZES: Record<string, Record<string, string>> = {
  "480p": { "16:9": "832*480", "9:16": "480*832" },
  "720p": { "16:9": "1280*720", "9:16": "720*1280" },
  "1080p": { "16:9": "1920*1080", "9:16": "1080*1920" },
};

const dataUri = (image: ImageFile) =>
  `data:${image.mimeType};base64,${Buffer.from(image.bytes).toString("base64")}`;

const refuse = (message: string) => new ProviderError(NAME, "bad_request", message);

/** The closest allowed value (numbers by distance, a tie to the longer; strings by position). */
function nearest<T extends string | number>(wanted: T, allowed: T[]): T {
  if (allowed.includes(wanted)) return wanted;
  if (typeof wanted === "number") {
    return allowed.reduce((best, n) => {
      const d = Math.abs((n as number) - wanted) - Math.abs((best as number) - wanted);
      return d < 0 || (d === 0 && n > best) ? n : best;
    });
  }
  const order = ["480p", "720p", "1080p"];
  const at = order.indexOf(String(wanted).toLowerCase());
  return allowed.reduce((best, r) =>
    Math.abs(order.indexOf(String(r)) - at) < Math.abs(order.indexOf(String(best)) - at) ? r : best,
  );
}

/**
 * The create request for one model: its path (kf2v models live under `image2video`) and body.
 * Refuses, before anything is paid for, an input the model cannot take; a length or resolution
 * it does not offer is moved to the nearest it does (the submit-time check does the same).
 */
export function createRequest(modelId: string, request: VideoRequest) {
  const caps = wanCapabilities(modelId);
  const mode = modeOf(modelId);
  if (request.referenceImages?.length)
    throw refuse(`reference_images are not supported by ${modelId}`);
  if (request.lastFrame && mode !== "kf2v")
    throw refuse(`last_frame is not supported by ${modelId}`);
  if (mode === "t2v" && request.image) throw refuse(`${modelId} makes video from text only`);
  if (mode !== "t2v" && !request.image) throw refuse(`${modelId} needs a first frame`);
  const durationSeconds = caps
    ? nearest(request.durationSeconds, caps.durations)
    : request.durationSeconds;
  const resolution = caps
    ? nearest(request.resolution.toLowerCase(), caps.resolutions)
    : request.resolution.toLowerCase();
  const image = request.image as ImageFile;
  const input =
    mode === "t2v"
      ? { prompt: request.prompt }
      : mode === "kf2v"
        ? {
            prompt: request.prompt,
            first_frame_url: dataUri(image),
            ...(request.lastFrame ? { last_frame_url: dataUri(request.lastFrame) } : {}),
          }
        : { prompt: request.prompt, img_url: dataUri(image) };
  const parameters =
    mode === "t2v"
      ? {
          size: T2V_SIZES[resolution]?.[request.aspectRatio === "9:16" ? "9:16" : "16:9"],
          duration: durationSeconds,
        }
      : { resolution: resolution.toUpperCase(), duration: durationSeconds };
  const path =
    mode === "kf2v"
      ? "/services/aigc/image2video/video-synthesis"
      : "/services/aigc/video-generation/video-synthesis";
  return { path, body: { model: modelId, input, parameters } };
}

interface TaskAnswer {
  code?: string;
  message?: string;
  output?: {
    task_id?: string;
    task_status?: string;
    video_url?: string;
    code?: string;
    message?: string;
  };
}

/** The answer's JSON, or the start of its text as the message when it is not JSON. */
async function answerOf(res: Response): Promise<TaskAnswer> {
  const text = await res.text();
  try {
    return JSON.parse(text) as TaskAnswer;
  } catch {
    return { message: text.slice(0, 200) || `HTTP ${res.status}` };
  }
}

const said = (answer: TaskAnswer, status: number) =>
  answer.code
    ? `${answer.code}: ${answer.message ?? ""}`.trim()
    : (answer.message ?? `HTTP ${status}`);

/** What a finished (or lost) task means for the job. */
export function readTask(answer: TaskAnswer): VideoCheck {
  const output = answer.output ?? {};
  switch (output.task_status) {
    case "PENDING":
    case "RUNNING":
      return { state: "pending" };
    case "SUCCEEDED":
      if (output.video_url) return { state: "done", video: output.video_url };
      return {
        state: "failed",
        failure: "operation_failed",
        message: "succeeded without a video_url",
      };
    case "FAILED": {
      const message = output.message ?? "the task failed";
      if (MODERATION.test(`${output.code ?? ""}`)) {
        return { state: "failed", failure: "blocked", message, reasons: [message] };
      }
      return {
        state: "failed",
        failure: "operation_failed",
        message: output.code ? `${output.code}: ${message}` : message,
      };
    }
    case "CANCELED":
      return { state: "failed", failure: "operation_failed", message: "the task was canceled" };
    case "UNKNOWN":
      return {
        state: "failed",
        failure: "operation_failed",
        message: "the task is unknown to DashScope (expired after 24 h, or another region's id)",
      };
    default:
      return {
        state: "failed",
        failure: "operation_failed",
        message: `unexpected task status ${JSON.stringify(output.task_status)}`,
      };
  }
}

/**
 * Wan video through Model Studio's async task API: one paid create (`X-DashScope-Async`), then
 * the task is queried by id, so any process resumes from the saved operation name alone.
 */
export function dashscopeVideo(cfg: Config, modelId: string): VideoProvider {
  const key = cfg.DASHSCOPE_API_KEY as string;
  const api = apiRoot(cfg.DASHSCOPE_BASE_URL ?? "https://dashscope.aliyuncs.com");
  return {
    name: NAME,
    model: modelId,
    offline: false,
    // DashScope has no per-request completion callback: `webhook` is not sent.
    async start(request) {
      const { path, body } = createRequest(modelId, request);
      // One request, never retried here: a second one could be a second paid generation.
      const res = await paidStart(NAME, () =>
        fetch(`${api}${path}`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${key}`,
            "content-type": "application/json",
            "x-dashscope-async": "enable",
          },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(cfg.PROVIDER_TIMEOUT_MS),
        }),
      );
      const answer = await paidStart(NAME, () => answerOf(res));
      if (!res.ok) throw startAnswerFailure(NAME, res.status, said(answer, res.status));
      const taskId = answer.output?.task_id;
      if (!taskId) {
        throw new ProviderError(
          NAME,
          "uncertain",
          "the create was accepted without a task_id; the video may have started",
        );
      }
      return taskId;
    },
    async check(taskId) {
      let res: Response;
      try {
        res = await fetch(`${api}/tasks/${encodeURIComponent(taskId)}`, {
          headers: { authorization: `Bearer ${key}` },
          signal: AbortSignal.timeout(cfg.PROVIDER_TIMEOUT_MS),
        });
      } catch (error) {
        const failure = isTimeout(error) ? "timeout" : "unavailable";
        throw new ProviderError(NAME, failure, `task query failed: ${(error as Error).message}`);
      }
      const answer = await answerOf(res);
      if (!res.ok) {
        throw new ProviderError(NAME, failureOfStatus(res.status), said(answer, res.status));
      }
      return readTask(answer);
    },
    async download(url, destination) {
      // A short-lived signed OSS link: fetched at once, and our key never goes with it.
      if (!/^https?:\/\//.test(url)) throw refuse(`not a video link: ${url.slice(0, 80)}`);
      await fetchVideo(NAME, url, {}, destination);
    },
  };
}
