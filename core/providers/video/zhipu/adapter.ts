import type { Config } from "../../../config.ts";
import { failureOfStatus, isTimeout, ProviderError } from "../../errors.ts";
import type { ImageFile, VideoCheck, VideoProvider, VideoRequest } from "../../types.ts";
import { fetchVideo } from "../operation.ts";
import { paidStart, startAnswerFailure } from "../paid-start.ts";
import { familyOf } from "./models.ts";

const NAME = "zhipu";
const API_PATH = "/api/paas/v4";

/** The BigModel API root, whether the configured base URL names `/api/paas/v4` or not. */
export function apiRoot(base: string): string {
  const trimmed = base.replace(/\/+$/, "");
  return trimmed.endsWith(API_PATH) ? trimmed : `${trimmed}${API_PATH}`;
}

/** Images go inline as data URIs (README.md here, "Images"): nothing of ours has to be public. */
const dataUri = (image: ImageFile) =>
  `data:${image.mimeType};base64,${Buffer.from(image.bytes).toString("base64")}`;

/** CogVideoX's `size` for a shape and resolution (its documented size list). */
const COGVIDEOX_SIZES: Record<string, Record<string, string>> = {
  "16:9": { "720p": "1280x720", "1080p": "1920x1080" },
  "9:16": { "720p": "720x1280", "1080p": "1080x1920" },
  "1:1": { "720p": "1024x1024", "1080p": "1024x1024" },
};

/** The create body for one model family (README.md here, "Request"). */
export function createBody(model: string, request: VideoRequest): Record<string, unknown> {
  const { image, lastFrame, referenceImages, prompt, aspectRatio, durationSeconds } = request;
  const family = familyOf(model);
  const images = referenceImages?.length
    ? referenceImages.map(dataUri)
    : [image, lastFrame].filter((i): i is ImageFile => Boolean(i)).map(dataUri);
  // One image is a string; first + last frame and references are an array (start-end, reference).
  const image_url = images.length === 1 && family !== "vidu-reference" ? images[0] : images;
  const body: Record<string, unknown> = { model, prompt, image_url, duration: durationSeconds };
  if (family === "cogvideox") {
    body.size = COGVIDEOX_SIZES[aspectRatio]?.[request.resolution] ?? "1920x1080";
    body.with_audio = true;
    // First + last frame runs only in speed mode ("首尾帧模式仅支持 speed").
    body.quality = lastFrame ? "speed" : "quality";
  } else {
    body.aspect_ratio = aspectRatio;
  }
  return body;
}

interface ZhipuError {
  code: string;
  message: string;
}

/** The provider's `{"error": {"code", "message"}}`, or whatever the body said instead. */
async function errorOf(res: Response): Promise<ZhipuError> {
  const text = await res.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (body.error)
      return { code: String(body.error.code ?? ""), message: String(body.error.message ?? "") };
  } catch {
    // Not JSON: the text itself is the message.
  }
  return { code: "", message: text.slice(0, 200) || `HTTP ${res.status}` };
}

const said = ({ code, message }: ZhipuError) => (code ? `${code} ${message}` : message);

/** 1301: the input or output was judged unsafe content. */
const UNSAFE = "1301";

/** What a refused create means: 1211 names the model, 1301 the content, the rest by status. */
function createRefusal(status: number, error: ZhipuError): ProviderError {
  if (status === 400 && error.code === "1211")
    return new ProviderError(NAME, "model_not_found", said(error));
  if (status === 400 && error.code === UNSAFE)
    return new ProviderError(NAME, "blocked", said(error), [error.message]);
  return startAnswerFailure(NAME, status, said(error));
}

interface TaskAnswer {
  id?: string;
  task_status?: string;
  video_result?: { url?: string; cover_image_url?: string }[];
  error?: { code?: unknown; message?: unknown };
  code?: unknown;
  message?: unknown;
}

/** A FAIL task (its body is undocumented: any code/message it carries is used). */
function failedTask(task: TaskAnswer): VideoCheck {
  const code = String(task.error?.code ?? task.code ?? "");
  const message = String(task.error?.message ?? task.message ?? "the video generation failed");
  if (code === UNSAFE)
    return {
      state: "failed",
      failure: "blocked",
      message: said({ code, message }),
      reasons: [message],
    };
  return { state: "failed", failure: "operation_failed", message: said({ code, message }) };
}

/**
 * CogVideoX and Vidu 2 through Zhipu BigModel's async video API. Auth is the SDK's default:
 * the API key itself as a Bearer token (README.md here, "Auth"). The task id is all a later
 * process needs to check and download.
 */
export function zhipuVideo(cfg: Config, model: string): VideoProvider {
  const key = cfg.ZHIPU_API_KEY as string;
  const root = apiRoot(cfg.ZHIPU_BASE_URL ?? "https://open.bigmodel.cn");
  const auth = { authorization: `Bearer ${key}` };
  return {
    name: NAME,
    model,
    offline: false,
    async start(request) {
      // Exactly one request: a second could be a second paid generation.
      const res = await paidStart(NAME, () =>
        fetch(`${root}/videos/generations`, {
          method: "POST",
          headers: { ...auth, "content-type": "application/json" },
          body: JSON.stringify(createBody(model, request)),
          signal: AbortSignal.timeout(cfg.PROVIDER_TIMEOUT_MS),
        }),
      );
      if (!res.ok) throw createRefusal(res.status, await paidStart(NAME, () => errorOf(res)));
      const task = await paidStart(NAME, async () => (await res.json()) as TaskAnswer);
      if (!task.id)
        throw new ProviderError(
          NAME,
          "uncertain",
          "the create was accepted without a task id; the video may have started",
        );
      return task.id;
    },
    async check(id) {
      let res: Response;
      try {
        res = await fetch(`${root}/async-result/${encodeURIComponent(id)}`, {
          headers: auth,
          signal: AbortSignal.timeout(cfg.PROVIDER_TIMEOUT_MS),
        });
      } catch (error) {
        throw new ProviderError(NAME, isTimeout(error) ? "timeout" : "unavailable", String(error));
      }
      if (!res.ok) {
        const error = await errorOf(res);
        if (error.code === UNSAFE) return failedTask({ error });
        throw new ProviderError(NAME, failureOfStatus(res.status), said(error));
      }
      const task = (await res.json()) as TaskAnswer;
      if (task.task_status === "FAIL") return failedTask(task);
      if (task.task_status !== "SUCCESS") return { state: "pending" };
      const url = task.video_result?.[0]?.url;
      if (!url) throw new ProviderError(NAME, "invalid_output", "SUCCESS without a video url");
      return { state: "done", video: url };
    },
    async download(url, destination) {
      // A short-lived signed link on another host: fetched at once, and never with our key.
      await fetchVideo(NAME, url, {}, destination);
    },
  };
}
