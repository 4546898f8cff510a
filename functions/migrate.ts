import { database, migrate } from "../core/db/client.ts";
import { log } from "../core/log.ts";

/**
 * Deploy-time migration: applies the committed drizzle migrations to the configured database.
 * Invoked once per deploy (never per request), so API Lambdas never pay for it at cold start.
 */
export async function handler(): Promise<{ migrated: true; driver: string; ms: number }> {
  const started = performance.now();
  const db = await database();
  await migrate(db);
  const ms = Math.round(performance.now() - started);
  log.info("migrations applied", { driver: db.driver, ms });
  return { migrated: true, driver: db.driver, ms };
}
