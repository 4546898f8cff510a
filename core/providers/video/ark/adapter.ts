import type { Config } from "../../../config.ts";
import { failureOfStatus, isTimeout, ProviderError } from "../../errors.ts";
import type { ImageFile, VideoCheck, VideoProvider, VideoRequest } from "../../types.ts";
import { fetchVideo } from "../operation.ts";
import { paidStart, startAnswerFailure } from "../paid-start.ts";

const NAME = "ark";
const TASKS = "/contents/generations/tasks";

/** Ark's error body: `{"error": {"code", "message", "param", "type"}}`. */
interface ArkError {
  code?: string;
  message?: string;
}

/** A task as `GET …/contents/generations/tasks/{id}` answers it (fields we read). */
interface ArkTask {
  id?: string;
  status?: "queued" | "running" | "cancelled" | "succeeded" | "failed";
  error?: ArkError | null;
  content?: { video_url?: string };
}

/** Moderation refusals (`InputImageSensitiveContentDetected`, `OutputVideoSensitive…`, …). */
const isModeration = (code: string | undefined) => Boolean(code && /Sensitive/i.test(code));

/** `ARK_BASE_URL` is the API origin; one that already ends with `/api/v3` works too. */
export function arkApiBase(baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, "");
  return /\/api\/v3$/.test(base) ? base : `${base}/api/v3`;
}

/** Images go inline as data URIs; Ark wants the format in lower case (`data:image/png;…`). */
const dataUri = (image: ImageFile) =>
  `data:${image.mimeType.toLowerCase()};base64,${Buffer.from(image.bytes).toString("base64")}`;

const imageItem = (image: ImageFile, role: string) => ({
  type: "image_url",
  image_url: { url: dataUri(image) },
  role,
});

/**
 * The create body: the prompt with Ark's text commands, then the frames. The three image modes
 * (first frame, first + last frame, references) are exclusive at Ark; the capability check has
 * already refused combinations the model does not take.
 */
export function taskBody(model: string, request: VideoRequest) {
  const { prompt, resolution, durationSeconds, aspectRatio } = request;
  const text = `${prompt} --resolution ${resolution} --duration ${durationSeconds} --ratio ${aspectRatio}`;
  const images = request.referenceImages?.length
    ? request.referenceImages.map((image) => imageItem(image, "reference_image"))
    : [
        ...(request.image ? [imageItem(request.image, "first_frame")] : []),
        ...(request.lastFrame ? [imageItem(request.lastFrame, "last_frame")] : []),
      ];
  return {
    model,
    content: [{ type: "text", text }, ...images],
    // Ark calls back on status changes; the job only needs the nudge (core/jobs/webhook.ts).
    ...(request.webhook ? { callback_url: request.webhook.uri } : {}),
  };
}

/** Reads a JSON answer; a body that is not JSON becomes an error with its first words. */
async function readJson<T>(res: Response): Promise<T & { error?: ArkError }> {
  const text = await res.text();
  try {
    return JSON.parse(text) as T & { error?: ArkError };
  } catch {
    return { error: { message: text.slice(0, 200) || `HTTP ${res.status}` } } as T & {
      error?: ArkError;
    };
  }
}

const describe = (error: ArkError | undefined, status: number) =>
  error?.code
    ? `${error.code}: ${error.message ?? ""}`.trim()
    : (error?.message ?? `HTTP ${status}`);

/** A finished or pending task as the job machinery sees it. */
export function readTask(task: ArkTask): VideoCheck {
  switch (task.status) {
    case "queued":
    case "running":
      return { state: "pending" };
    case "succeeded":
      if (task.content?.video_url) return { state: "done", video: task.content.video_url };
      return {
        state: "failed",
        failure: "operation_failed",
        message: "the task succeeded without a video_url",
      };
    case "failed": {
      const message = describe(task.error ?? undefined, 200);
      if (isModeration(task.error?.code)) {
        return {
          state: "failed",
          failure: "blocked",
          message,
          reasons: [task.error?.message ?? message],
        };
      }
      return { state: "failed", failure: "operation_failed", message };
    }
    case "cancelled":
      return { state: "failed", failure: "operation_failed", message: "the task was cancelled" };
    default:
      return {
        state: "failed",
        failure: "operation_failed",
        message: `unknown task status ${JSON.stringify(task.status)}`,
      };
  }
}

/** Seedance image-to-video through Ark's content-generation tasks, over plain `fetch`. */
export function arkVideo(cfg: Config, modelId: string): VideoProvider {
  const key = cfg.ARK_API_KEY as string;
  const api = arkApiBase(cfg.ARK_BASE_URL);
  const auth = { authorization: `Bearer ${key}` };
  return {
    name: NAME,
    model: modelId,
    offline: false,
    async start(request) {
      // One request, never retried here: a second one could be a second paid generation.
      const res = await paidStart(NAME, () =>
        fetch(`${api}${TASKS}`, {
          method: "POST",
          headers: { ...auth, "content-type": "application/json" },
          body: JSON.stringify(taskBody(modelId, request)),
          signal: AbortSignal.timeout(cfg.PROVIDER_TIMEOUT_MS),
        }),
      );
      const body = await paidStart(NAME, () => readJson<{ id?: string }>(res));
      if (!res.ok) {
        const message = describe(body.error, res.status);
        // A moderation refusal of the prompt or the images: nothing started, change the input.
        if (res.status === 400 && isModeration(body.error?.code)) {
          throw new ProviderError(NAME, "blocked", message, [body.error?.message ?? message]);
        }
        const hint = res.status === 404 ? ` (is ${modelId} opened for this Ark account?)` : "";
        throw startAnswerFailure(NAME, res.status, `${message}${hint}`);
      }
      if (!body.id) {
        throw new ProviderError(
          NAME,
          "uncertain",
          "the task was accepted without an id; the video may have started",
        );
      }
      return body.id;
    },
    async check(taskId) {
      let res: Response;
      try {
        res = await fetch(`${api}${TASKS}/${encodeURIComponent(taskId)}`, {
          headers: auth,
          signal: AbortSignal.timeout(cfg.PROVIDER_TIMEOUT_MS),
        });
      } catch (error) {
        const failure = isTimeout(error) ? "timeout" : "unavailable";
        throw new ProviderError(NAME, failure, `task check failed: ${(error as Error).message}`);
      }
      const body = await readJson<ArkTask>(res);
      // Tasks are kept for a limited time: one Ark no longer knows will never finish.
      if (res.status === 404) {
        return {
          state: "failed",
          failure: "operation_failed",
          message: `task ${taskId} not found (${describe(body.error, 404)})`,
        };
      }
      if (!res.ok) {
        throw new ProviderError(
          NAME,
          failureOfStatus(res.status),
          describe(body.error, res.status),
        );
      }
      return readTask(body);
    },
    async download(url, destination) {
      // A signed storage URL, fetched at once (it expires); our key never goes there.
      await fetchVideo(NAME, url, {}, destination);
    },
  };
}
