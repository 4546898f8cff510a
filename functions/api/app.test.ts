import { beforeAll, describe, expect, it } from "vitest";
import { testApi } from "../../test/support/app.ts";
import { apiGatewayEvent, lambdaContext } from "../../test/support/lambda.ts";
import { handler as projectsHandler } from "./projects.ts";

beforeAll(async () => {
  await testApi();
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
