import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { config } from "../../core/config.ts";
import { database } from "../../core/db/client.ts";
import { log } from "../../core/log.ts";
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

async function checkDatabase() {
  try {
    const { db, driver } = await database();
    await db.execute(sql`select 1`);
    return { db: "ok" as const, driver };
  } catch (error) {
    log.error("health: database unreachable", { error });
    return { db: "error" as const };
  }
}

/** The job store answers a read; without a queue configured, jobs cannot run at all. */
async function checkJobs() {
  if (!config().JOBS_QUEUE_URL) return "not_configured" as const;
  try {
    const { getJob } = await import("../../core/jobs/store.ts");
    await getJob("health-check");
    return "ok" as const;
  } catch (error) {
    log.error("health: job store unreachable", { error });
    return "error" as const;
  }
}

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
      const [dbState, jobs] = await Promise.all([checkDatabase(), checkJobs()]);
      const healthy = dbState.db === "ok" && jobs !== "error";
      const body = {
        status: healthy ? ("ok" as const) : ("degraded" as const),
        ...dbState,
        jobs,
        offline: config().offline,
      };
      return c.json(body, healthy ? 200 : 503);
    },
  ),
];

export const handler = lambdaHandler(routes);
