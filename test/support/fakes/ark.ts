import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stillToClip } from "../../../core/media/clip.ts";
import { renderCard } from "../../../core/providers/offline/card.ts";
import type { Gate } from "./gemini.ts";
import { type Fake, type Recorded, type Reply, startFake } from "./server.ts";

/**
 * Volcengine Ark's content-generation tasks API (Seedance), as documented in "创建视频生成任务
 * API" / "查询视频生成任务 API" (see core/providers/video/ark/README.md), on 127.0.0.1.
 */
export const ARK_TEST_KEY = "test-ark-key";
const TASKS = "/api/v3/contents/generations/tasks";

/** What a task created next ends as. */
export type ArkOutcome =
  | { kind: "video" }
  | { kind: "failed"; code: string; message: string }
  | { kind: "cancelled" };

/** Image modes each model takes (WIRE-FORMATS: lite-i2v all three, pro first/first+last, pro-fast first). */
const MODELS: Record<string, { lastFrame: boolean; references: boolean }> = {
  "doubao-seedance-1-0-pro-250528": { lastFrame: true, references: false },
  "doubao-seedance-1-0-lite-i2v-250428": { lastFrame: true, references: true },
  "doubao-seedance-1-0-pro-fast-251015": { lastFrame: false, references: false },
};

export interface FakeArk extends Fake {
  /** MP4 bytes served at every finished task's video_url. */
  video: Buffer;
  /** Queries answered queued/running before the task finishes. */
  pendingChecks: number;
  outcome: ArkOutcome;
  /** When set, a create that arrives calls `arrived` and is answered once `release` resolves. */
  startGate?: Gate;
  /** Create requests that reached the fake, accepted or not. */
  creates(): Recorded[];
  /** Tasks created (each a paid generation). */
  accepted(): number;
}

/** Ark's error body with that HTTP status; Ark ends its messages with the request id. */
export const arkError = (status: number, code: string, message: string, type = ""): Reply => ({
  status,
  body: {
    error: { code, message: `${message} Request id: 0217${Date.now()}`, param: "", type },
  },
});

const DATA_URI = /^data:image\/[a-z]+;base64,[A-Za-z0-9+/=]+$/;

/** What the documented create refuses in a body, as a 400 message; undefined when valid. */
function createProblem(body: Record<string, unknown> | undefined): Reply | undefined {
  if (!body?.model)
    return arkError(
      400,
      "MissingParameter",
      "The request failed because it is missing one or multiple required parameters.",
    );
  const model = MODELS[String(body.model)];
  if (!model) {
    return arkError(
      404,
      "InvalidEndpointOrModel.NotFound",
      `The model or endpoint ${body.model} does not exist or you do not have access to it.`,
      "NotFound",
    );
  }
  const content = body.content as {
    type?: string;
    text?: string;
    role?: string;
    image_url?: { url?: string };
  }[];
  if (!Array.isArray(content) || content.length === 0)
    return arkError(400, "MissingParameter", "The parameter `content` is required.");
  const images = content.filter((c) => c.type === "image_url");
  if (
    images.some(
      (i) =>
        !(
          i.image_url?.url &&
          (DATA_URI.test(i.image_url.url) || /^https?:\/\//.test(i.image_url.url))
        ),
    )
  )
    return arkError(
      400,
      "InvalidParameter",
      "The parameter `content.image_url.url` specified in the request is not valid.",
    );
  const roles = images.map((i) => i.role ?? "first_frame").join(",");
  const allowed = ["", "first_frame", ...(model.lastFrame ? ["first_frame,last_frame"] : [])];
  const references = images.every((i) => i.role === "reference_image") && images.length <= 4;
  if (!allowed.includes(roles) && !(model.references && references))
    return arkError(
      400,
      "InvalidParameter",
      `The parameter \`content.role\` specified in the request is not valid: ${roles} is not supported by ${body.model}.`,
    );
  return undefined;
}

export async function startFakeArk(): Promise<FakeArk> {
  const tasks = new Map<
    string,
    { checks: number; outcome: ArkOutcome; model: string; created: number }
  >();
  let accepted = 0;
  let self: FakeArk | undefined;
  const taskBody = (id: string) => {
    const task = tasks.get(id);
    if (!task) return undefined;
    task.checks += 1;
    const state = self as FakeArk;
    const base = { id, model: task.model, created_at: task.created, updated_at: task.created };
    if (task.checks <= state.pendingChecks)
      return { ...base, status: task.checks === 1 ? "queued" : "running", error: null };
    if (task.outcome.kind === "failed")
      return {
        ...base,
        status: "failed",
        error: { code: task.outcome.code, message: task.outcome.message },
      };
    if (task.outcome.kind === "cancelled") return { ...base, status: "cancelled", error: null };
    return {
      ...base,
      status: "succeeded",
      error: null,
      content: { video_url: `${state.url}/tos/${id}.mp4?X-Tos-Expires=86400&X-Tos-Signature=fake` },
      seed: 10,
      resolution: "720p",
      ratio: "16:9",
      duration: 5,
      framespersecond: 24,
      usage: { completion_tokens: 108900, total_tokens: 108900 },
    };
  };
  const fake = await startFake(async (req) => {
    const path = req.path.split("?")[0] as string;
    // The result URL is a signed storage link: no key expected (and none should be sent).
    if (path.startsWith("/tos/"))
      return { status: 200, body: self?.video, headers: { "content-type": "video/mp4" } };
    if (req.headers.authorization !== `Bearer ${ARK_TEST_KEY}`) {
      return arkError(
        401,
        "AuthenticationError",
        "the API key or AK/SK in the request is missing or invalid.",
        "Unauthorized",
      );
    }
    if (req.method === "POST" && path === TASKS) {
      const problem = createProblem(req.json);
      if (problem) return problem;
      const gate = self?.startGate;
      if (gate) {
        gate.arrived();
        await gate.release;
      }
      const id = `cgt-${Date.now()}-${Math.random().toString(36).slice(2, 7)}`;
      tasks.set(id, {
        checks: 0,
        outcome: (self as FakeArk).outcome,
        model: req.json.model,
        created: Math.floor(Date.now() / 1000),
      });
      accepted += 1;
      return { status: 200, body: { id } };
    }
    if (req.method === "GET" && path.startsWith(`${TASKS}/`)) {
      const body = taskBody(decodeURIComponent(path.slice(TASKS.length + 1)));
      // The unknown-task answer is not documented; this is the shape Ark's other 404s take.
      return body
        ? { status: 200, body }
        : arkError(404, "ResourceNotFound", "The specified resource is not found.", "NotFound");
    }
    return arkError(404, "NotFound", `no route ${req.method} ${path}`);
  });
  self = Object.assign(fake, {
    video: await sampleVideo(),
    pendingChecks: 1,
    outcome: { kind: "video" } as ArkOutcome,
    creates: () =>
      fake.requests.filter((r) => r.method === "POST" && r.path.split("?")[0] === TASKS),
    accepted: () => accepted,
  });
  return self;
}

/** A real one-second MP4, made the way offline clips are. */
async function sampleVideo(): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), "fake-ark-"));
  try {
    const still = join(dir, "still.png");
    await writeFile(
      still,
      renderCard({
        width: 320,
        height: 180,
        title: "ark",
        prompt: "",
        label: "FAKE ARK",
        seed: "a",
      }),
    );
    await stillToClip(still, join(dir, "ark.mp4"), { width: 320, height: 180, seconds: 1 });
    return await readFile(join(dir, "ark.mp4"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
