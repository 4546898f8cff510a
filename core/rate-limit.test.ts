import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Fake, startFake } from "../test/support/fakes/server.ts";
import { resetConfig } from "./config.ts";
import { resetRateLimiter, spendRate } from "./rate-limit.ts";

/** A counter store that accepts connections and never answers. */
let hung: Fake;
const CHANGED = [
  "AWS_ENDPOINT_URL_DYNAMODB",
  "RATE_LIMIT_READ",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
] as const;
let saved: Record<string, string | undefined> = {};
beforeAll(async () => {
  hung = await startFake(() => ({ status: 200, body: {} }));
  saved = Object.fromEntries(CHANGED.map((name) => [name, process.env[name]]));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: hung.url,
    RATE_LIMIT_READ: "100",
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? "local",
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? "local",
  });
  resetConfig();
  resetRateLimiter();
});
afterAll(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  resetConfig();
  resetRateLimiter();
  await hung?.stop();
});

describe("rate limiter outage", () => {
  it("answers 503 after two short tries when the counter store hangs, never waiting on it", async () => {
    hung.faults.push({ delayMs: 30_000, times: 10 });
    const started = Date.now();
    const error = await spendRate("owner", 1, "read").catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({ status: 503, code: "rate_limiter_unavailable" });
    expect(hung.requests.map((r) => r.headers["x-amz-target"])).toEqual([
      "DynamoDB_20120810.UpdateItem",
      "DynamoDB_20120810.UpdateItem",
    ]);
    // Two tries of 2 s and a short pause: well inside API Gateway's 29 s.
    expect(elapsed).toBeGreaterThanOrEqual(3_900);
    expect(elapsed).toBeLessThan(6_000);
  }, 15_000);
});
