import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../core/auth.ts";
import { useLocalStack } from "../test/support/local-stack.ts";
import { generateSchema, schemaFile } from "./generate.ts";
import { type ApiError, createStudioClient } from "./index.ts";

/** The first line where two texts differ, so a stale schema says where, not 3,000 lines of diff. */
function firstDifference(committed: string, generated: string): string {
  const a = committed.split("\n");
  const b = generated.split("\n");
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line === -1 ? a.length : line;
  return `line ${at + 1}: committed ${JSON.stringify(a[at] ?? "<end>")}, generated ${JSON.stringify(b[at] ?? "<end>")}`;
}

describe("typed client", () => {
  it("is generated from the current OpenAPI document (else run `npm run client`)", async () => {
    // Generated at run time from the routes in this checkout: any change to the document counts.
    const generated = await generateSchema();
    const committed = readFileSync(schemaFile, "utf8");
    if (committed !== generated) {
      expect.fail(
        `client/schema.ts is stale: run npm run client and commit it (${firstDifference(committed, generated)})`,
      );
    }
  });
});

describe("typed client against the local stack", () => {
  const server = useLocalStack("client", { env: { AUTH_REQUIRED: "true" } });
  let apiKey: string;
  beforeAll(async () => {
    apiKey = (await createApiKey("client-test")).key;
  });

  it("creates and reads a project with the key, through typed paths and bodies", async () => {
    const api = createStudioClient({ baseUrl: `${server.url}/`, apiKey });
    const created = await api.POST("/api/v1/projects", { body: { name: "Paper boats" } });
    expect(created.response.status).toBe(201);
    const id = created.data?.id as number;
    expect(created.data).toMatchObject({ id: expect.any(Number), name: "Paper boats" });

    const read = await api.GET("/api/v1/projects/{project_id}", {
      params: { path: { project_id: id } },
    });
    expect(read.response.status).toBe(200);
    expect(read.data?.project).toMatchObject({ id, name: "Paper boats" });
    expect(read.data?.storyboards).toEqual([]);

    // The compiler knows the paths: an unknown one does not build.
    // @ts-expect-error not a path of the API
    void api.GET("/api/v1/no-such-route");
  });

  it("returns the API's {detail, code} error for a missing project", async () => {
    const api = createStudioClient({ baseUrl: server.url, apiKey });
    const { data, error, response } = await api.GET("/api/v1/projects/{project_id}", {
      params: { path: { project_id: 987_654 } },
    });
    expect(response.status).toBe(404);
    expect(data).toBeUndefined();
    const typed: ApiError | undefined = error;
    expect(typed).toMatchObject({ code: "not_found", detail: expect.stringContaining("987654") });
  });

  it("is refused with 401 without the key", async () => {
    const anonymous = createStudioClient({ baseUrl: server.url });
    const { data, error, response } = await anonymous.GET("/api/v1/projects");
    expect(response.status).toBe(401);
    expect(data).toBeUndefined();
    expect(error as ApiError).toMatchObject({
      code: expect.any(String),
      detail: expect.any(String),
    });
  });
});
