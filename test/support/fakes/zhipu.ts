import type { Gate } from "./gemini.ts";
import { type Fake, type Recorded, type Reply, startFake } from "./server.ts";

/**
 * A fake Zhipu BigModel video API as documented (core/providers/video/zhipu/README.md): Bearer
 * auth with the API key, `POST /api/paas/v4/videos/generations`, `GET /api/paas/v4/async-result/{id}`,
 * errors as `{"error": {"code", "message"}}`, and the finished MP4 at the task's result URL.
 */
export const ZHIPU_KEY = "test-id.test-secret";

export type ZhipuOutcome = "video" | "fail" | "unsafe";

export interface FakeZhipu extends Fake {
  /** MP4 bytes served at a finished task's url. */
  video: Buffer;
  /** Queries answered PROCESSING before the outcome, per task. */
  pendingChecks: number;
  outcome: ZhipuOutcome;
  /** Holds a create (after it arrived) until released. */
  startGate?: Gate;
  creates(): Recorded[];
  /** Tasks the fake accepted (each a paid generation). */
  accepted(): number;
}

const MODELS = new Set(["cogvideox-3", "vidu2-image", "vidu2-start-end", "vidu2-reference"]);
const err = (status: number, code: string, message: string): Reply => ({
  status,
  body: { error: { code, message } },
});

/** What the documented models refuse in `image_url`: the shape each family takes. */
function imageProblem(model: string, images: unknown): string | undefined {
  const list = Array.isArray(images) ? images : images === undefined ? [] : [images];
  if (list.some((i) => typeof i !== "string" || !i.startsWith("data:image/")))
    return "image_url 参数非法";
  if (model.endsWith("-start-end") && list.length !== 2) return "image_url 参数非法";
  if (
    model.endsWith("-reference") &&
    (!Array.isArray(images) || list.length < 1 || list.length > 3)
  )
    return "image_url 参数非法";
  if (model === "vidu2-image" && typeof images !== "string") return "image_url 参数非法";
  return undefined;
}

export async function startFakeZhipu(): Promise<FakeZhipu> {
  const tasks = new Map<string, { model: string; checks: number; prompt: string }>();
  let n = 0;
  const state = {} as FakeZhipu;
  const fake = await startFake(async (req) => {
    const path = req.path.split("?")[0] as string;
    if (path.startsWith("/files/")) return { status: 200, body: state.video };
    const authz = String(req.headers.authorization ?? "");
    if (!authz) return err(401, "1001", "Header中未收到Authentication参数，无法进行身份验证");
    if (authz !== `Bearer ${ZHIPU_KEY}`) return err(401, "1000", "身份验证失败");
    if (req.method === "POST" && path === "/api/paas/v4/videos/generations") {
      if (state.startGate) {
        state.startGate.arrived();
        await state.startGate.release;
      }
      const body = req.json ?? {};
      if (!MODELS.has(body.model)) return err(400, "1211", "模型不存在，请检查模型代码");
      if (String(body.prompt ?? "").includes("unsafe"))
        return err(400, "1301", "系统检测到输入或生成内容可能包含不安全或敏感内容");
      const problem = imageProblem(body.model, body.image_url);
      if (problem) return err(400, "1214", problem);
      const id = `task-${++n}`;
      tasks.set(id, { model: body.model, checks: 0, prompt: String(body.prompt ?? "") });
      return {
        status: 200,
        body: { model: body.model, id, request_id: `req-${n}`, task_status: "PROCESSING" },
      };
    }
    const query = /^\/api\/paas\/v4\/async-result\/([^/]+)$/.exec(path);
    if (req.method === "GET" && query) {
      const task = tasks.get(decodeURIComponent(query[1] as string));
      if (!task) return err(400, "1214", "id 参数非法");
      const common = { model: task.model, request_id: "req-q" };
      if (task.checks++ < state.pendingChecks)
        return { status: 200, body: { ...common, task_status: "PROCESSING" } };
      if (state.outcome === "fail")
        return { status: 200, body: { ...common, task_status: "FAIL" } };
      if (state.outcome === "unsafe")
        return {
          status: 200,
          body: {
            ...common,
            task_status: "FAIL",
            error: { code: "1301", message: "系统检测到输入或生成内容可能包含不安全或敏感内容" },
          },
        };
      return {
        status: 200,
        body: {
          ...common,
          task_status: "SUCCESS",
          video_result: [{ url: `${fake.url}/files/${query[1]}.mp4`, cover_image_url: "" }],
        },
      };
    }
    return err(404, "404", `no route ${req.method} ${path}`);
  });
  const isCreate = (r: Recorded) => r.method === "POST" && r.path.endsWith("/videos/generations");
  return Object.assign(state, fake, {
    video: Buffer.alloc(0),
    pendingChecks: 1,
    outcome: "video" as ZhipuOutcome,
    creates: () => fake.requests.filter(isCreate),
    accepted: () => n,
  });
}
