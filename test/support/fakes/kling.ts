import { createHmac, timingSafeEqual } from "node:crypto";
import { type Fake, type Recorded, type Reply, startFake } from "./server.ts";

/**
 * Kling AI's image-to-video API as documented (WIRE-FORMATS "Second wave" → "Kling AI"): JWT
 * bearer auth checked with the secret key, create and query with the documented bodies, error
 * answers `{code, message, request_id}`, and the finished MP4 on a "CDN" path of its own.
 */
export const KLING_ACCESS = "test-kling-access";
export const KLING_SECRET = "test-kling-secret";
export const CREATE_PATH = "/v1/videos/image2video";
const VIDEO_PATH = /^\/cdn\/videos\/([\w-]+)\.mp4$/;

export type KlingOutcome = "video" | "failed" | "blocked";

export interface Gate {
  arrived: () => void;
  release: Promise<void>;
}

export interface FakeKling extends Fake {
  /** The MP4 served at every result URL. */
  video: Buffer;
  /** Queries answered `processing` before a task ends, and how it ends. */
  task: { pendingChecks: number; outcome: KlingOutcome };
  /** Holds create requests (after recording them) until released. */
  startGate?: Gate;
  tasks: Map<string, { checks: number; body: Record<string, unknown> }>;
  /** Kling's clock, for tokens that are expired or not yet valid there. */
  now: () => number;
  creates(): Recorded[];
}

const fromBase64url = (s: string) => Buffer.from(s, "base64url");

/**
 * An HS256 verifier written from RFC 7519/7515, independent of the adapter's signer: the header
 * must say HS256, the signature must be the HMAC-SHA256 of `header.payload` under the secret.
 */
export function verifyHs256(
  token: string,
  secret: string,
): { ok: true; claims: Record<string, number | string> } | { ok: false } {
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false };
  const [header, payload, signature] = parts as [string, string, string];
  try {
    if (JSON.parse(fromBase64url(header).toString("utf8")).alg !== "HS256") return { ok: false };
    const expected = createHmac("sha256", secret).update(`${header}.${payload}`).digest();
    const given = fromBase64url(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false };
    return { ok: true, claims: JSON.parse(fromBase64url(payload).toString("utf8")) };
  } catch {
    return { ok: false };
  }
}

let requestIds = 0;
export const klingError = (status: number, code: number, message: string): Reply => ({
  status,
  body: { code, message, request_id: `req-${++requestIds}` },
});

/** Kling's 401 answers, by the documented codes. */
function authProblem(req: Recorded, nowMs: number): Reply | undefined {
  const auth = String(req.headers.authorization ?? "");
  if (!auth) return klingError(401, 1001, "Authorization is empty");
  const verified = verifyHs256(auth.replace(/^Bearer /, ""), KLING_SECRET);
  if (!verified.ok || verified.claims.iss !== KLING_ACCESS) {
    return klingError(401, 1002, "Authorization is invalid");
  }
  const now = nowMs / 1000;
  if (Number(verified.claims.nbf) > now)
    return klingError(401, 1003, "Authorization is not yet valid");
  if (!(Number(verified.claims.exp) > now))
    return klingError(401, 1004, "Authorization has expired");
  return undefined;
}

const MODELS = ["kling-v2-1", "kling-v2-1-master", "kling-v2-5-turbo", "kling-v2-6", "kling-v3"];

/** What the documented parameters refuse (code 1201). */
function createProblem(body: Record<string, unknown> | undefined): string | undefined {
  if (!body) return "request body is not JSON";
  if (!MODELS.includes(String(body.model_name))) return `model_name ${body.model_name} is invalid`;
  for (const field of ["image", "image_tail"]) {
    const value = body[field];
    if (value === undefined && field === "image_tail") continue;
    if (typeof value !== "string" || !value) return `${field} is required`;
    if (value.startsWith("data:")) return `${field}: the data: prefix is not base64`;
    if (!/^[A-Za-z0-9+/]+=*$/.test(value)) return `${field} is not valid base64`;
  }
  if (!["std", "pro"].includes(String(body.mode))) return "mode must be std or pro";
  const durations = body.model_name === "kling-v3" ? ["3", "5", "8", "10", "15"] : ["5", "10"];
  if (typeof body.duration !== "string" || !durations.includes(body.duration)) {
    return `duration ${JSON.stringify(body.duration)} is invalid`;
  }
  return undefined;
}

export async function startFakeKling(): Promise<FakeKling> {
  const state = {
    video: Buffer.alloc(0),
    task: { pendingChecks: 1, outcome: "video" as KlingOutcome },
    startGate: undefined as Gate | undefined,
    tasks: new Map<string, { checks: number; body: Record<string, unknown> }>(),
    now: () => Date.now(),
  };
  let taskIds = 0;
  // Tests change these on the returned fake, so the handler reads them there.
  let self!: FakeKling;
  const fake = await startFake(async (req) => {
    const cdn = req.path.match(VIDEO_PATH);
    if (cdn) return { status: 200, body: self.video, headers: { "content-type": "video/mp4" } };
    const denied = authProblem(req, self.now());
    if (denied) return denied;
    if (req.method === "POST" && req.path === CREATE_PATH) {
      const gate = self.startGate;
      if (gate) {
        gate.arrived();
        await gate.release;
      }
      const problem = createProblem(req.json);
      if (problem) return klingError(400, 1201, problem);
      const taskId = `task-${++taskIds}`;
      self.tasks.set(taskId, { checks: 0, body: req.json });
      const now = Date.now();
      return {
        status: 200,
        body: {
          code: 0,
          message: "SUCCEED",
          request_id: `req-${++requestIds}`,
          data: {
            task_id: taskId,
            task_status: "submitted",
            task_info: {},
            created_at: now,
            updated_at: now,
          },
        },
      };
    }
    const query = req.method === "GET" && req.path.startsWith(`${CREATE_PATH}/`);
    const task = query ? self.tasks.get(req.path.slice(CREATE_PATH.length + 1)) : undefined;
    if (!query) return klingError(404, 1202, "Invalid request method or path");
    if (!task) return klingError(404, 1203, "The requested resource does not exist");
    const taskId = req.path.slice(CREATE_PATH.length + 1);
    const data: Record<string, unknown> = { task_id: taskId, created_at: 0, updated_at: 0 };
    task.checks += 1;
    if (task.checks <= self.task.pendingChecks) {
      data.task_status = task.checks === 1 ? "submitted" : "processing";
    } else if (self.task.outcome === "video") {
      data.task_status = "succeed";
      data.task_status_msg = "";
      data.final_unit_deduction = "2.5";
      data.task_result = {
        videos: [{ id: `v-${taskId}`, url: `${fake.url}/cdn/videos/${taskId}.mp4`, duration: "5" }],
      };
    } else {
      data.task_status = "failed";
      data.task_status_msg =
        self.task.outcome === "blocked"
          ? "Failure to pass the risk control system"
          : "Internal error, please try again later";
    }
    return {
      status: 200,
      body: { code: 0, message: "SUCCEED", request_id: `req-${++requestIds}`, data },
    };
  });
  self = Object.assign(fake, state, {
    creates: () => fake.requests.filter((r) => r.method === "POST" && r.path === CREATE_PATH),
  }) as FakeKling;
  return self;
}
