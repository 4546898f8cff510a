import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { testApi } from "../../../test/support/app.ts";

let api: Awaited<ReturnType<typeof testApi>>;
beforeAll(async () => {
  api = await testApi();
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** Log lines written while `fn` runs, parsed. */
async function logLines(fn: () => Promise<unknown>) {
  const lines: string[] = [];
  vi.stubEnv("LOG_LEVEL", "info");
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  await fn();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  return lines.map((l) => JSON.parse(l));
}

describe("requestId and accessLog", () => {
  it("echoes a sane x-request-id and stamps it on the access log line", async () => {
    let res: Awaited<ReturnType<typeof api.call>> | undefined;
    const lines = await logLines(async () => {
      res = await api.call("GET", "/health", undefined, { "x-request-id": "req-abc.1" });
    });
    expect(res?.headers.get("x-request-id")).toBe("req-abc.1");
    const access = lines.find((l) => l.message === "request");
    expect(access).toMatchObject({ requestId: "req-abc.1", path: "/health", status: 200 });
    const generated = await api.call("GET", "/health", undefined, { "x-request-id": "bad id!" });
    expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("logs the status of a request that ended in an error", async () => {
    const lines = await logLines(() => api.call("GET", "/api/v1/projects/0"));
    expect(lines.find((l) => l.message === "request")).toMatchObject({ status: 422 });
  });
});
