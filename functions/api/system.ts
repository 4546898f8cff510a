import { createRoute, z } from "@hono/zod-openapi";
import { checkHealth } from "../../core/health.ts";
import { defineRoute, lambdaHandler } from "./app.ts";
import { json } from "./schemas.ts";

const Health = z
  .object({
    status: z.enum(["ok", "degraded"]),
    db: z.enum(["ok", "error"]),
    jobs: z.enum(["ok", "error", "not_configured"]),
    driver: z.string().optional(),
    offline: z.object({
      text: z.boolean(),
      image: z.boolean(),
      video: z.boolean(),
      storage: z.boolean(),
    }),
  })
  .openapi("Health");

export const routes = [
  defineRoute(
    createRoute({
      method: "get",
      path: "/health",
      tags: ["system"],
      summary: "Readiness: database and job store reachable, which providers run offline",
      responses: {
        200: json(Health, "Ready"),
        503: json(Health, "Database or job store unreachable"),
      },
    }),
    async (c) => {
      const health = await checkHealth();
      return c.json(health, health.status === "ok" ? 200 : 503);
    },
  ),
];

export const handler = lambdaHandler(routes);
