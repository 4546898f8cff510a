import type { Config } from "../../../config.ts";
import { ProviderError } from "../../errors.ts";
import type { ImageFile, VideoCheck, VideoProvider, VideoRequest } from "../../types.ts";
import { fetchVideo } from "../operation.ts";
import { paidStart } from "../paid-start.ts";
import { createRefusal, type KlingAnswer, NAME, queryRefusal, readAnswer } from "./errors.ts";
import { klingToken } from "./jwt.ts";
import { klingModel, modeOf } from "./models.ts";

interface KlingTask {
  task_id?: string;
  task_status?: "submitted" | "processing" | "succeed" | "failed";
  task_status_msg?: string;
  task_result?: { videos?: { url?: string }[] };
}

const PATH = "/v1/videos/image2video";

/** Kling wants raw base64: its docs call the `data:image/png;base64,` prefix incorrect. */
const base64 = (image: ImageFile) => Buffer.from(image.bytes).toString("base64");

/** The closest length the model takes; a tie goes to the longer (a shot is not cut short). */
const nearest = (wanted: number, allowed: number[]) =>
  allowed.reduce((best, n) => {
    const d = Math.abs(n - wanted) - Math.abs(best - wanted);
    return d < 0 || (d === 0 && n > best) ? n : best;
  });

/** How a failed task's message reads when Kling's risk control refused the content. */
const POLICY = /risk|policy|sensitive|safety|violat|inappropriate|moderat|审核|违规|敏感/i;

const refuse = (message: string) => new ProviderError(NAME, "bad_request", message);

/**
 * The create body, checked before anything is paid for: Kling's image-to-video needs a first
 * frame and takes no reference images; a last frame goes in `image_tail` where the model's mode
 * accepts it. The length is the nearest the model offers (the registry maps it first).
 */
function createBody(model: string, request: VideoRequest) {
  const spec = klingModel(model);
  if (!spec) throw refuse(`unknown Kling model ${model}`);
  if (!request.image) throw refuse(`${model} makes video from a first frame; none was given`);
  if (request.referenceImages?.length) throw refuse(`${model} takes no reference images`);
  const mode = modeOf(request.resolution);
  if (request.lastFrame && !spec.tailModes.includes(mode)) {
    throw refuse(
      spec.tailModes.length
        ? `a last frame on ${model} needs ${spec.tailModes.includes("pro") ? "1080p" : "720p"} (mode ${spec.tailModes.join("/")})`
        : `${model} takes no last frame`,
    );
  }
  return {
    model_name: model,
    image: base64(request.image),
    ...(request.lastFrame ? { image_tail: base64(request.lastFrame) } : {}),
    prompt: request.prompt,
    mode,
    duration: String(nearest(request.durationSeconds, spec.durations)),
    ...(spec.audio ? { sound: "on" } : {}),
    // Kling posts the task there when it ends; the body is never trusted (core/jobs/webhook.ts).
    ...(request.webhook ? { callback_url: request.webhook.uri } : {}),
  };
}

/** What a queried task means for the job. */
function readTask(task: KlingTask | undefined): VideoCheck {
  switch (task?.task_status) {
    case "submitted":
    case "processing":
      return { state: "pending" };
    case "succeed": {
      const url = task.task_result?.videos?.[0]?.url;
      if (url) return { state: "done", video: url };
      return { state: "failed", failure: "operation_failed", message: "succeeded without a video" };
    }
    case "failed": {
      const message = task.task_status_msg || "the task failed";
      return POLICY.test(message)
        ? { state: "failed", failure: "blocked", message, reasons: [message] }
        : { state: "failed", failure: "operation_failed", message };
    }
    default:
      throw new ProviderError(NAME, "invalid_output", `unknown task status ${task?.task_status}`);
  }
}

/**
 * Kling AI image-to-video over `fetch`. The create is the paid start: one request, never retried,
 * its failures classified (paid-start.ts). The operation is Kling's task id, so any process can
 * resume checking it; the finished video's URL is fetched without our token.
 */
export function klingVideo(cfg: Config, model: string): VideoProvider {
  const access = cfg.KLING_ACCESS_KEY as string;
  const secret = cfg.KLING_SECRET_KEY as string;
  const base = cfg.KLING_BASE_URL.replace(/\/+$/, "");
  // A fresh token per request: it lives 30 minutes, a job far longer.
  const headers = () => ({
    authorization: `Bearer ${klingToken(access, secret)}`,
    "content-type": "application/json",
  });
  return {
    name: NAME,
    model,
    offline: false,
    async start(request) {
      const body = JSON.stringify(createBody(model, request));
      const res = await paidStart(NAME, () =>
        fetch(`${base}${PATH}`, {
          method: "POST",
          headers: headers(),
          body,
          signal: AbortSignal.timeout(cfg.PROVIDER_TIMEOUT_MS),
        }),
      );
      const answer = await paidStart(NAME, () => readAnswer<KlingTask>(res));
      if (!res.ok || (answer.code !== undefined && answer.code !== 0)) {
        throw createRefusal(res.status, answer);
      }
      const taskId = answer.data?.task_id;
      if (!taskId) {
        throw new ProviderError(
          NAME,
          "uncertain",
          "the create was accepted without a task id; the video may have started",
        );
      }
      return taskId;
    },
    async check(taskId) {
      const res = await fetch(`${base}${PATH}/${encodeURIComponent(taskId)}`, {
        headers: headers(),
        signal: AbortSignal.timeout(cfg.PROVIDER_TIMEOUT_MS),
      });
      const answer: KlingAnswer<KlingTask> = await readAnswer<KlingTask>(res);
      if (!res.ok || (answer.code !== undefined && answer.code !== 0)) {
        throw queryRefusal(res.status, answer);
      }
      return readTask(answer.data);
    },
    async download(url, destination) {
      // A CDN link: our token never goes there (nor anywhere but the API origin).
      await fetchVideo(NAME, url, {}, destination);
    },
  };
}
