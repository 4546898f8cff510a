import { createRoute } from "@hono/zod-openapi";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { readReply, testApi } from "../../test/support/app.ts";
import { buildApp, defineRoute } from "./http.ts";
import { handler as projectsHandler } from "./projects.ts";

let api: Awaited<ReturnType<typeof testApi>>;
beforeAll(async () => {
  api = await testApi();
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** A minimal API Gateway HTTP API (payload 2.0) event, as Lambda receives it. */
function apiGatewayEvent(method: string, path: string, body?: string, query = "") {
  return {
    version: "2.0",
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: query,
    headers: {
      host: "abc123.execute-api.eu-west-1.amazonaws.com",
      ...(body ? { "content-type": "application/json" } : {}),
    },
    requestContext: {
      accountId: "123456789012",
      apiId: "abc123",
      domainName: "abc123.execute-api.eu-west-1.amazonaws.com",
      domainPrefix: "abc123",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "203.0.113.9", userAgent: "test" },
      requestId: "apigw-request-1",
      routeKey: `${method} ${path}`,
      stage: "$default",
      time: "23/Nov/2026:10:00:00 +0000",
      timeEpoch: 1_795_420_800_000,
    },
    body,
    isBase64Encoded: false,
  };
}

const lambdaContext = { awsRequestId: "lambda-1", functionName: "projects" };

describe("request handling", () => {
  it("answers malformed JSON with 400 invalid_json", async () => {
    const res = await api.call("POST", "/api/v1/projects", "{not json");
    expect(res).toMatchObject({ status: 400, body: { code: "invalid_json" } });
  });

  it("answers a non-JSON content type with 415", async () => {
    const res = await api.call("POST", "/api/v1/projects", undefined, {
      "content-type": "text/plain",
    });
    expect(res.status).toBe(415);
    const form = await readReply(
      await api.app.request("/api/v1/prompts", { method: "POST", body: new FormData() }),
    );
    expect(form).toMatchObject({ status: 415, body: { code: "unsupported_media_type" } });
  });

  it("refuses bodies over MAX_BODY_BYTES with 413", async () => {
    const huge = JSON.stringify({ step: "s", name: "n", prompt: "x".repeat(1_100_000) });
    const res = await api.call("POST", "/api/v1/prompts", huge);
    expect(res).toMatchObject({ status: 413, body: { code: "body_too_large" } });
  });

  it("refuses NUL characters, which Postgres cannot store, with 422 instead of a 500", async () => {
    const body = await api.call("POST", "/api/v1/projects", { name: "a\u0000b" });
    expect(body).toMatchObject({ status: 422, body: { code: "invalid_value" } });
    const path = await api.call("GET", "/api/v1/prompts/step/a%00b");
    expect(path).toMatchObject({ status: 422, body: { code: "validation_failed" } });
  });

  it("answers unknown routes and methods with a JSON 404", async () => {
    expect(await api.call("GET", "/api/v1/nope")).toMatchObject({
      status: 404,
      body: { code: "route_not_found" },
    });
    expect((await api.call("PATCH", "/api/v1/projects")).status).toBe(404);
  });

  it("echoes a sane x-request-id and stamps it on the access log line", async () => {
    const lines: string[] = [];
    vi.stubEnv("LOG_LEVEL", "info");
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const res = await api.call("GET", "/health", undefined, { "x-request-id": "req-abc.1" });
    vi.unstubAllEnvs();
    expect(res.headers.get("x-request-id")).toBe("req-abc.1");
    const access = lines.map((l) => JSON.parse(l)).find((l) => l.message === "request");
    expect(access).toMatchObject({ requestId: "req-abc.1", path: "/health", status: 200 });
    const generated = await api.call("GET", "/health", undefined, { "x-request-id": "bad id!" });
    expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("turns an unexpected exception into a generic 500 without leaking its message", async () => {
    const app = buildApp([
      defineRoute(
        createRoute({ method: "get", path: "/boom", responses: { 200: { description: "never" } } }),
        () => {
          throw new Error("secret internals");
        },
      ),
    ]);
    vi.spyOn(process.stderr, "write").mockReturnValue(true);
    const res = await readReply(await app.request("/boom"));
    expect(res).toMatchObject({ status: 500, body: { code: "internal_error" } });
    expect(JSON.stringify(res.body)).not.toContain("secret internals");
  });
});

describe("Lambda adapter", () => {
  it("serves an API Gateway v2 event through the route module's handler", async () => {
    const created = await projectsHandler(
      apiGatewayEvent("POST", "/api/v1/projects", JSON.stringify({ name: "from lambda" })) as never,
      lambdaContext as never,
    );
    expect(created.statusCode).toBe(201);
    expect(created.headers?.["x-request-id"]).toBe("apigw-request-1");
    const project = JSON.parse(created.body);
    expect(project.name).toBe("from lambda");

    const got = await projectsHandler(
      apiGatewayEvent("GET", `/api/v1/projects/${project.id}`) as never,
      lambdaContext as never,
    );
    expect(got.statusCode).toBe(200);
    expect(JSON.parse(got.body).project.name).toBe("from lambda");

    const paged = await projectsHandler(
      apiGatewayEvent("GET", "/api/v1/projects", undefined, "size=0") as never,
      lambdaContext as never,
    );
    expect(paged.statusCode).toBe(422);
  });

  it("only serves its own group's routes", async () => {
    const res = await projectsHandler(
      apiGatewayEvent("GET", "/api/v1/prompts") as never,
      lambdaContext as never,
    );
    expect(res.statusCode).toBe(404);
  });
});
