import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ARK_TEST_KEY, arkError, startFakeArk } from "../../../../test/support/fakes/ark.ts";
import { fakeForFile } from "../../../../test/support/fakes/server.ts";
import { parseConfig } from "../../../config.ts";
import { ProviderError } from "../../errors.ts";
import type { VideoRequest } from "../../types.ts";
import { arkVideo } from "./adapter.ts";
import { vendor } from "./index.ts";

const fake = fakeForFile(startFakeArk);
const PRO = "doubao-seedance-1-0-pro-250528";
const png = (tag: string) => ({
  bytes: new TextEncoder().encode(`png-${tag}`),
  mimeType: "image/PNG",
});

const ark = (model = PRO, env: Record<string, string> = {}) =>
  arkVideo(
    parseConfig({
      ARK_API_KEY: ARK_TEST_KEY,
      ARK_BASE_URL: fake().url,
      PROVIDER_TIMEOUT_MS: "2000",
      ...env,
    }),
    model,
  );

const request = (extra: Partial<VideoRequest> = {}): VideoRequest => ({
  image: png("first"),
  prompt: "a slow push-in on the lighthouse",
  aspectRatio: "16:9",
  durationSeconds: 5,
  resolution: "720p",
  ...extra,
});

/** The typed error a promise rejects with. */
async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe("the Ark Seedance adapter", () => {
  it("lists its models as available only with ARK_API_KEY", () => {
    expect(vendor.models.map((m) => m.id)).toContain(PRO);
    expect(vendor.models.every((m) => m.provider === "ark" && m.capabilities?.first_frame)).toBe(
      true,
    );
    expect(vendor.models[0]?.available(parseConfig({}))).toBe(false);
    expect(vendor.models[0]?.available(parseConfig({ ARK_API_KEY: "k" }))).toBe(true);
  });

  it("creates a first-frame task: the prompt with its text commands and the frame as a data URI", async () => {
    const id = await ark().start(request());
    expect(id).toMatch(/^cgt-/);
    const [create] = fake().creates();
    expect(create?.headers.authorization).toBe(`Bearer ${ARK_TEST_KEY}`);
    expect(create?.json).toEqual({
      model: PRO,
      content: [
        {
          type: "text",
          text: "a slow push-in on the lighthouse --resolution 720p --duration 5 --ratio 16:9",
        },
        {
          type: "image_url",
          image_url: {
            url: `data:image/png;base64,${Buffer.from("png-first").toString("base64")}`,
          },
          role: "first_frame",
        },
      ],
    });
  });

  it("sends first and last frame with their roles, to a base URL that already ends with /api/v3", async () => {
    const adapter = ark(PRO, { ARK_BASE_URL: `${fake().url}/api/v3/` });
    await adapter.start(
      request({
        lastFrame: png("last"),
        durationSeconds: 10,
        aspectRatio: "9:16",
        resolution: "1080p",
      }),
    );
    const body = fake().creates()[0]?.json;
    expect(body.content[0].text).toMatch(/ --resolution 1080p --duration 10 --ratio 9:16$/);
    expect(body.content.slice(1).map((c: { role: string }) => c.role)).toEqual([
      "first_frame",
      "last_frame",
    ]);
    expect(body.content[2].image_url.url).toBe(
      `data:image/png;base64,${Buffer.from("png-last").toString("base64")}`,
    );
  });

  it("a wrong key is auth_failed with Ark's message", async () => {
    const error = await failureOf(ark(PRO, { ARK_API_KEY: "wrong" }).start(request()));
    expect(error.failure).toBe("auth_failed");
    expect(error.message).toMatch(/AuthenticationError: the API key .* is missing or invalid/);
  });

  it("error bodies become typed errors carrying the provider's code and message", async () => {
    const before = fake().accepted();
    const unknown = await failureOf(ark("doubao-seedance-9-9").start(request()));
    expect(unknown.failure).toBe("model_not_found");
    expect(unknown.message).toMatch(
      /InvalidEndpointOrModel\.NotFound: The model or endpoint doubao-seedance-9-9 does not exist/,
    );

    const fast = await failureOf(
      ark("doubao-seedance-1-0-pro-fast-251015").start(request({ lastFrame: png("l") })),
    );
    expect(fast.failure).toBe("bad_request");
    expect(fast.message).toMatch(/InvalidParameter: .*first_frame,last_frame is not supported/);

    fake().faults.push({
      ...arkError(429, "RateLimitExceeded.EndpointRPMExceeded", "Request rate exceeded."),
      path: "/api/v3/contents/generations/tasks",
    });
    const limited = await failureOf(ark().start(request()));
    expect(limited.failure).toBe("rate_limited");
    expect(limited.message).toMatch(
      /RateLimitExceeded\.EndpointRPMExceeded: Request rate exceeded\..*\(not started\)/,
    );
    expect(fake().accepted()).toBe(before);
  });

  it("a moderated prompt at create is blocked, with Ark's message as the reason", async () => {
    fake().faults.push(
      arkError(
        400,
        "InputTextSensitiveContentDetected",
        "The request failed because the input text may contain sensitive information.",
      ),
    );
    const error = await failureOf(ark().start(request()));
    expect(error.failure).toBe("blocked");
    expect(error.reasons[0]).toMatch(/input text may contain sensitive information/);
  });

  it.each([
    ["a 500", { status: 500, body: { error: { code: "InternalServiceError", message: "boom" } } }],
    ["a dropped connection", { drop: true }],
  ])("sends exactly one create under %s, and calls it uncertain", async (_label, fault) => {
    fake().faults.push(fault);
    const error = await failureOf(ark().start(request()));
    expect(error.failure).toBe("uncertain");
    expect(fake().creates()).toHaveLength(1);
  });

  it("checks pending, then done; a fresh adapter resumes from the saved task id and downloads without our key", async () => {
    const id = await ark().start(request());
    expect(await ark().check(id)).toEqual({ state: "pending" });
    const done = await ark().check(id);
    expect(done).toMatchObject({ state: "done" });
    const url = (done as { video: string }).video;
    const dest = join(await mkdtemp(join(tmpdir(), "ark-")), "shot.mp4");
    await ark().download(url, dest);
    const bytes = await readFile(dest);
    expect(bytes.equals(fake().video)).toBe(true);
    expect(bytes.subarray(4, 8).toString()).toBe("ftyp");
    const fetched = fake().requests.find((r) => r.path.startsWith("/tos/"));
    expect(fetched?.headers.authorization).toBeUndefined();
  });

  it("a moderated output is blocked with Ark's message; another failure is operation_failed", async () => {
    fake().pendingChecks = 0;
    fake().outcome = {
      kind: "failed",
      code: "OutputVideoSensitiveContentDetected",
      message: "The request failed because the output video may contain sensitive information.",
    };
    const blocked = await ark().check(await ark().start(request()));
    expect(blocked).toEqual({
      state: "failed",
      failure: "blocked",
      message: expect.stringContaining("OutputVideoSensitiveContentDetected"),
      reasons: ["The request failed because the output video may contain sensitive information."],
    });
    fake().outcome = { kind: "failed", code: "InternalServiceError", message: "generation failed" };
    expect(await ark().check(await ark().start(request()))).toEqual({
      state: "failed",
      failure: "operation_failed",
      message: "InternalServiceError: generation failed",
    });
    fake().outcome = { kind: "video" };
    fake().pendingChecks = 1;
  });

  it("an unknown task id is a failed operation, not a retry forever", async () => {
    expect(await ark().check("cgt-unknown")).toMatchObject({
      state: "failed",
      failure: "operation_failed",
    });
  });
});
