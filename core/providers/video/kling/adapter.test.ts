import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  CREATE_PATH,
  type FakeKling,
  KLING_ACCESS,
  KLING_SECRET,
  klingError,
  startFakeKling,
  verifyHs256,
} from "../../../../test/support/fakes/kling.ts";
import { fakeForFile } from "../../../../test/support/fakes/server.ts";
import { parseConfig } from "../../../config.ts";
import { stillToClip } from "../../../media/clip.ts";
import { ProviderError } from "../../errors.ts";
import { renderCard } from "../../offline/card.ts";
import type { VideoRequest } from "../../types.ts";
import { klingVideo } from "./adapter.ts";
import { vendor } from "./index.ts";
import { klingToken, signHs256 } from "./jwt.ts";

const fake = fakeForFile(startFakeKling);
beforeEach(() => {
  fake().tasks.clear();
  fake().task = { pendingChecks: 1, outcome: "video" };
  fake().now = () => Date.now();
});
const png = (seed: string) => ({
  bytes: renderCard({ width: 64, height: 36, title: seed, prompt: "", label: "", seed }),
  mimeType: "image/png",
});
const first = png("first");
const last = png("last");
const request = (extra: Partial<VideoRequest> = {}): VideoRequest => ({
  image: first,
  prompt: "slow pan",
  aspectRatio: "16:9",
  durationSeconds: 5,
  resolution: "1080p",
  ...extra,
});
const cfgOf = (f: FakeKling, env: Record<string, string> = {}) =>
  parseConfig({
    KLING_ACCESS_KEY: KLING_ACCESS,
    KLING_SECRET_KEY: KLING_SECRET,
    KLING_BASE_URL: f.url,
    PROVIDER_TIMEOUT_MS: "3000",
    ...env,
  });
const adapter = (model = "kling-v2-1", env: Record<string, string> = {}) =>
  klingVideo(cfgOf(fake(), env), model);

async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

let mp4: Buffer;
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), "kling-"));
  await writeFile(join(dir, "still.png"), png("clip").bytes);
  await stillToClip(join(dir, "still.png"), join(dir, "clip.mp4"), {
    width: 64,
    height: 36,
    seconds: 1,
  });
  mp4 = await readFile(join(dir, "clip.mp4"));
  fake().video = mp4;
});

describe("the Kling JWT", () => {
  it("signs HS256 as the JWT spec's example does (jwt.io vector)", () => {
    expect(
      signHs256({ sub: "1234567890", name: "John Doe", iat: 1516239022 }, "your-256-bit-secret"),
    ).toBe(
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    );
  });

  it("carries iss = access key, exp = now + 1800, nbf = now - 5, verified with the secret", () => {
    const now = Date.UTC(2026, 0, 1) + 400;
    const verified = verifyHs256(klingToken("ak", "sk", now), "sk");
    expect(verified).toEqual({
      ok: true,
      claims: { iss: "ak", exp: now / 1000 - 0.4 + 1800, nbf: now / 1000 - 0.4 - 5 },
    });
    expect(verifyHs256(klingToken("ak", "sk", now), "other").ok).toBe(false);
  });
});

describe("the Kling adapter against the documented API", () => {
  it("creates with the frame as raw base64, mode, string duration and no image_tail", async () => {
    const task = await adapter().start(request());
    expect(task).toBe([...fake().tasks.keys()].at(-1));
    const [create] = fake().creates();
    expect(create?.json).toEqual({
      model_name: "kling-v2-1",
      image: Buffer.from(first.bytes).toString("base64"),
      prompt: "slow pan",
      mode: "pro",
      duration: "5",
    });
    const token = String(create?.headers.authorization).replace(/^Bearer /, "");
    const verified = verifyHs256(token, KLING_SECRET);
    expect(verified.ok && verified.claims.iss).toBe(KLING_ACCESS);
    const exp = verified.ok ? Number(verified.claims.exp) : 0;
    expect(Math.abs(exp - (Date.now() / 1000 + 1800))).toBeLessThan(60);
  });

  it("sends a last frame as image_tail (pro mode), a callback, sound on models with audio, the nearest length", async () => {
    await adapter("kling-v2-6").start(
      request({
        lastFrame: last,
        durationSeconds: 8,
        webhook: { uri: "https://films.example/hook/1?token=t", metadata: { job_id: "1" } },
      }),
    );
    expect(fake().creates()[0]?.json).toMatchObject({
      model_name: "kling-v2-6",
      image_tail: Buffer.from(last.bytes).toString("base64"),
      mode: "pro",
      duration: "10",
      sound: "on",
      callback_url: "https://films.example/hook/1?token=t",
    });
  });

  it("refuses a last frame where the model's mode takes no image_tail, before any request", async () => {
    const at720 = await failureOf(
      adapter().start(request({ lastFrame: last, resolution: "720p" })),
    );
    expect(at720.failure).toBe("bad_request");
    expect(at720.message).toMatch(/1080p/);
    const master = await failureOf(
      adapter("kling-v2-1-master").start(request({ lastFrame: last })),
    );
    expect(master.message).toMatch(/no last frame/);
    expect(fake().creates()).toHaveLength(0);
  });

  it("an expired or wrongly signed token is refused as auth_failed with Kling's message", async () => {
    const wrongSecret = await failureOf(
      adapter("kling-v2-1", { KLING_SECRET_KEY: "nope" }).start(request()),
    );
    expect(wrongSecret.failure).toBe("auth_failed");
    expect(wrongSecret.message).toContain("Authorization is invalid (code 1002)");
    // Kling's clock 31 minutes ahead: the adapter's token (30 minutes) has expired there.
    fake().now = () => Date.now() + 31 * 60_000;
    const expired = await failureOf(adapter().start(request()));
    expect(expired.failure).toBe("auth_failed");
    expect(expired.message).toContain("Authorization has expired (code 1004)");
    // A minute behind: the token is not yet valid there (beyond the 5 s of nbf slack).
    fake().now = () => Date.now() - 60_000;
    const early = await failureOf(adapter().check("task-1"));
    expect(early.failure).toBe("auth_failed");
    expect(early.message).toContain("code 1003");
    expect(fake().tasks.size).toBe(0);
  });

  it.each([
    [klingError(400, 1201, "image is too small"), "bad_request", "image is too small (code 1201)"],
    [
      klingError(429, 1302, "request too fast"),
      "rate_limited",
      "request too fast (code 1302) (not started)",
    ],
    [klingError(429, 1102, "resource pack exhausted"), "rate_limited", "resource pack exhausted"],
    [
      klingError(400, 1301, "content security policy triggered"),
      "blocked",
      "content security policy",
    ],
    [
      { status: 200, body: { code: 1000, message: "Authentication failed" } },
      "auth_failed",
      "Authentication failed",
    ],
  ])(
    "an error body %# becomes a typed refusal with Kling's message",
    async (reply, failure, words) => {
      fake().faults.push({ ...reply, path: CREATE_PATH });
      const error = await failureOf(adapter().start(request()));
      expect(error.failure).toBe(failure);
      expect(error.message).toContain(words);
      if (failure === "blocked")
        expect(error.reasons).toEqual(["content security policy triggered"]);
      expect(fake().creates()).toHaveLength(1);
    },
  );

  it.each([
    ["a 500", { status: 500, body: { code: 5000, message: "Server internal error" } }],
    ["a dropped connection", { drop: true }],
  ])("%s to the create is uncertain and sent exactly once", async (_, fault) => {
    fake().faults.push({ ...fault, path: CREATE_PATH });
    const error = await failureOf(adapter().start(request()));
    expect(error.failure).toBe("uncertain");
    expect(fake().creates()).toHaveLength(1);
  });

  it("no connection at all is unavailable (not started)", async () => {
    const closed = await startFakeKling();
    await closed.stop();
    const error = await failureOf(klingVideo(cfgOf(closed), "kling-v2-1").start(request()));
    expect(error.failure).toBe("unavailable");
  });

  it("resumes from a saved task id in a new adapter and downloads the MP4 without our token", async () => {
    fake().task = { pendingChecks: 2, outcome: "video" };
    const task = await adapter().start(request());
    const later = adapter(); // another process, with only the task id
    expect(await later.check(task)).toEqual({ state: "pending" });
    expect(await later.check(task)).toEqual({ state: "pending" });
    const done = await later.check(task);
    expect(done).toEqual({ state: "done", video: `${fake().url}/cdn/videos/${task}.mp4` });
    const dest = join(await mkdtemp(join(tmpdir(), "kling-dl-")), "v.mp4");
    await later.download((done as { video: string }).video, dest);
    expect((await readFile(dest)).equals(mp4)).toBe(true);
    const download = fake().requests.find((r) => r.path.startsWith("/cdn/"));
    expect(download?.headers.authorization).toBeUndefined();
  });

  it("a task refused by risk control is blocked with Kling's message; another failure is not", async () => {
    fake().task = { pendingChecks: 0, outcome: "blocked" };
    const blocked = await adapter().check(await adapter().start(request()));
    expect(blocked).toEqual({
      state: "failed",
      failure: "blocked",
      message: "Failure to pass the risk control system",
      reasons: ["Failure to pass the risk control system"],
    });
    fake().task = { pendingChecks: 0, outcome: "failed" };
    const failed = await adapter().check(await adapter().start(request()));
    expect(failed).toMatchObject({ state: "failed", failure: "operation_failed" });
  });

  it("an unknown task id is a typed error with Kling's message", async () => {
    const error = await failureOf(adapter().check("task-none"));
    expect(error.message).toContain("does not exist (code 1203)");
  });
});

describe("the Kling vendor", () => {
  it("lists its models with capabilities and prices, available only with both keys", () => {
    const ids = vendor.models.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(["kling-v2-1", "kling-v2-5-turbo", "kling-v3"]));
    const v21 = vendor.models.find((m) => m.id === "kling-v2-1");
    expect(v21?.capabilities).toMatchObject({
      first_frame: true,
      last_frame: true,
      durations: [5, 10],
    });
    expect(vendor.models.find((m) => m.id === "kling-v2-1-master")?.capabilities?.last_frame).toBe(
      false,
    );
    expect(v21?.available(cfgOf(fake()))).toBe(true);
    expect(v21?.available(parseConfig({ KLING_ACCESS_KEY: "a" }))).toBe(false);
  });
});
