import { randomUUID } from "node:crypto";
import { modeOf, wanCapabilities } from "../../../core/providers/video/dashscope/models.ts";
import type { Gate } from "./gemini.ts";
import { type Fake, type Recorded, type Reply, startFake } from "./server.ts";

/**
 * Alibaba Model Studio (DashScope) as its API references describe it (the adapter's README.md):
 * async creates on two paths, task queries, its error bodies, and a signed-looking result link
 * that serves a real MP4 (on this same fake, standing in for OSS).
 */

export const DASHSCOPE_KEY = "sk-test-dashscope";

/** How the next tasks end, after `pendingChecks` queries that answer RUNNING. */
export type Outcome = "video" | "blocked" | "failed";

export interface FakeDashScope extends Fake {
  video: Buffer;
  outcome: { pendingChecks: number; end: Outcome };
  /** Holds a create inside the fake until released (a worker "inside the paid start"). */
  startGate?: Gate;
  tasks: Map<string, { model: string; checks: number; end: Outcome }>;
  /** The create requests that reached the fake. */
  creates(): Recorded[];
  /** The result-link downloads. */
  downloads(): Recorded[];
}

const CREATE = /^\/api\/v1\/services\/aigc\/(video-generation|image2video)\/video-synthesis$/;
const path = (req: Recorded) => req.path.split("?")[0] as string;
const requestId = () => randomUUID();

export const dashscopeError = (status: number, code: string, message: string): Reply => ({
  status,
  body: { code, message, request_id: requestId() },
});

const invalid = (message: string) => dashscopeError(400, "InvalidParameter", message);
const isImage = (v: unknown) =>
  typeof v === "string" && (/^data:image\/[a-z]+;base64,./.test(v) || /^https?:\/\//.test(v));

function authProblem(req: Recorded): Reply | undefined {
  const auth = req.headers.authorization;
  if (!auth) return dashscopeError(401, "InvalidApiKey", "No API-key provided.");
  if (auth !== `Bearer ${DASHSCOPE_KEY}`)
    return dashscopeError(401, "InvalidApiKey", "Invalid API-key provided.");
  return undefined;
}

/** What the service refuses in a create body (documented fields and per-model tables). */
function createProblem(route: string, body: Recorded["json"]): Reply | undefined {
  const model = String(body?.model ?? "");
  const caps = wanCapabilities(model);
  if (!caps) return dashscopeError(400, "InvalidParameter", "Model not exist.");
  const mode = modeOf(model);
  if ((mode === "kf2v") !== (route === "image2video"))
    return invalid("url error, please check url!");
  const input = body?.input ?? {};
  const parameters = body?.parameters ?? {};
  if (mode === "i2v" && !isImage(input.img_url)) return invalid("The img_url is required.");
  if (mode === "kf2v" && !isImage(input.first_frame_url))
    return invalid("The first_frame_url is required.");
  if (mode === "kf2v" && input.last_frame_url !== undefined && !isImage(input.last_frame_url))
    return invalid("The last_frame_url is invalid.");
  if (mode === "t2v" && (input.img_url || !input.prompt)) return invalid("The prompt is required.");
  if (
    mode !== "t2v" &&
    !caps.resolutions.map((r) => r.toUpperCase()).includes(parameters.resolution)
  )
    return invalid(`The resolution ${parameters.resolution} is not supported by ${model}.`);
  if (mode === "t2v" && !/^\d+\*\d+$/.test(String(parameters.size)))
    return invalid("The size is invalid.");
  if (parameters.duration !== undefined && !caps.durations.includes(parameters.duration))
    return invalid(`The duration ${parameters.duration} is not supported by ${model}.`);
  return undefined;
}

function taskAnswer(fake: FakeDashScope, id: string): Reply {
  const task = fake.tasks.get(id);
  if (!task) {
    return {
      status: 200,
      body: { request_id: requestId(), output: { task_id: id, task_status: "UNKNOWN" } },
    };
  }
  task.checks++;
  const base = { task_id: id, submit_time: "2026-11-29 10:00:00.000" };
  if (task.checks <= fake.outcome.pendingChecks) {
    return {
      status: 200,
      body: { request_id: requestId(), output: { ...base, task_status: "RUNNING" } },
    };
  }
  const end = { ...base, end_time: "2026-11-29 10:01:00.000" };
  if (task.end === "blocked") {
    return {
      status: 200,
      body: {
        request_id: requestId(),
        output: {
          ...end,
          task_status: "FAILED",
          code: "DataInspectionFailed",
          message: "Output data may contain inappropriate content.",
        },
      },
    };
  }
  if (task.end === "failed") {
    return {
      status: 200,
      body: {
        request_id: requestId(),
        output: {
          ...end,
          task_status: "FAILED",
          code: "InternalError",
          message: "Internal error.",
        },
      },
    };
  }
  return {
    status: 200,
    body: {
      request_id: requestId(),
      output: {
        ...end,
        task_status: "SUCCEEDED",
        video_url: `${fake.url}/oss/${id}.mp4?Expires=1764500000&OSSAccessKeyId=fake&Signature=x`,
      },
      usage: { duration: 5, video_count: 1 },
    },
  };
}

export async function startFakeDashScope(video: Buffer): Promise<FakeDashScope> {
  const fake = (await startFake(async (req) => {
    const p = path(req);
    if (req.method === "GET" && p.startsWith("/oss/")) return { status: 200, body: fake.video };
    const denied = authProblem(req);
    if (denied) return denied;
    const create = CREATE.exec(p);
    if (req.method === "POST" && create) {
      if (req.headers["x-dashscope-async"] !== "enable") {
        return dashscopeError(
          403,
          "AccessDenied",
          "current user api does not support synchronous calls",
        );
      }
      const problem = createProblem(create[1] as string, req.json);
      if (problem) return problem;
      if (fake.startGate) {
        fake.startGate.arrived();
        await fake.startGate.release;
      }
      const id = randomUUID();
      fake.tasks.set(id, { model: req.json.model, checks: 0, end: fake.outcome.end });
      return {
        status: 200,
        body: { request_id: requestId(), output: { task_id: id, task_status: "PENDING" } },
      };
    }
    const task = /^\/api\/v1\/tasks\/([^/]+)$/.exec(p);
    if (req.method === "GET" && task)
      return taskAnswer(fake, decodeURIComponent(task[1] as string));
    return { status: 404, body: { code: "NotFound", message: `no route ${req.method} ${p}` } };
  })) as FakeDashScope;
  fake.video = video;
  fake.outcome = { pendingChecks: 1, end: "video" };
  fake.tasks = new Map();
  fake.creates = () => fake.requests.filter((r) => r.method === "POST" && CREATE.test(path(r)));
  fake.downloads = () => fake.requests.filter((r) => path(r).startsWith("/oss/"));
  return fake;
}
