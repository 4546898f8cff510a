import { sql } from "drizzle-orm";
import { type Config, config } from "./config.ts";
import { database } from "./db/client.ts";
import { log } from "./log.ts";

/** What `GET /health` reports: whether requests can be served, and which providers run offline. */
export interface Health {
  status: "ok" | "degraded";
  db: "ok" | "error";
  driver?: string;
  jobs: "ok" | "error" | "not_configured";
  offline: Config["offline"];
}

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
    // Loaded here so a process that never checks health does not load the job store.
    const { getJob } = await import("./jobs/store.ts");
    await getJob("health-check");
    return "ok" as const;
  } catch (error) {
    log.error("health: job store unreachable", { error });
    return "error" as const;
  }
}

/** Probes the database and the job store at once; degraded if either is unreachable. */
export async function checkHealth(): Promise<Health> {
  const [dbState, jobs] = await Promise.all([checkDatabase(), checkJobs()]);
  const healthy = dbState.db === "ok" && jobs !== "error";
  return { status: healthy ? "ok" : "degraded", ...dbState, jobs, offline: config().offline };
}
