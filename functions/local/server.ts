import { type ServerType, serve } from "@hono/node-server";
import { forgetAuthCache } from "../../core/auth.ts";
import { config, resetConfig } from "../../core/config.ts";
import { database, serveEmbeddedDatabase } from "../../core/db/client.ts";
import { sweepStaleJobs } from "../../core/jobs/sweep.ts";
import { log } from "../../core/log.ts";
import { buildApp } from "../api/app.ts";
import { apiRoutes } from "../api/manifest.ts";
import { handler as worker } from "../worker.ts";
import { mountConsole } from "./console.ts";
import { type Emulators, startEmulators } from "./emulators.ts";
import { startPoller } from "./poller.ts";
import { mountLocalStorage } from "./storage.ts";

export interface LocalServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The whole stack in one process: every route of the table, local storage, and, unless a real
 * queue is configured, DynamoDB/SQS emulators with a poller feeding the worker.
 */
export async function startLocalServer(port = config().PORT): Promise<LocalServer> {
  // The embedded database is opened by this process only, and shared with other local commands
  // (keys, demo); a key they revoke must stop working here at once, not after the cache expires.
  serveEmbeddedDatabase({ afterClientTurn: forgetAuthCache });
  await database(); // open and migrate before accepting traffic, so /health is honest
  let emulators: Emulators | undefined;
  if (!config().JOBS_QUEUE_URL) emulators = await startEmulators({ persist: true });
  const cfg = config();
  const poller = startPoller({ queueUrl: cfg.JOBS_QUEUE_URL as string, handler: worker });
  // The local queue lives in memory: jobs from before a restart are picked up again here.
  await sweepStaleJobs(0).catch((error) => log.warn("could not sweep old jobs", { error }));
  const sweeper = setInterval(() => void sweepStaleJobs().catch(() => {}), 60_000);
  sweeper.unref();
  const app = buildApp(apiRoutes);
  mountLocalStorage(app);
  mountConsole(app);
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: cfg.HOST, port }, () => resolve(s));
  });
  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  const url = `http://${cfg.HOST}:${actualPort}`;
  await (await database()).advertise?.({ api: url });
  // Stored files are linked by absolute URL; with port 0 only now do we know it.
  if (!cfg.PUBLIC_BASE_URL && actualPort !== cfg.PORT) {
    process.env.PUBLIC_BASE_URL = url;
    resetConfig();
  }
  return {
    url,
    close: async () => {
      await new Promise<void>((resolve, reject) =>
        server.close((e) => (e ? reject(e) : resolve())),
      );
      clearInterval(sweeper);
      await poller.stop();
      await emulators?.stop();
    },
  };
}

async function main() {
  try {
    process.loadEnvFile();
  } catch {
    // No .env: every setting has a local default.
  }
  const cfg = config();
  const server = await startLocalServer();
  const { offline } = cfg;
  const offlineParts = Object.entries(offline)
    .filter(([, isOffline]) => isOffline)
    .map(([part]) => part);
  const lines = [
    `Storyboard Studio API on ${server.url}`,
    `  console:  ${server.url}/`,
    `  docs:     ${server.url}/docs`,
    `  health:   ${server.url}/health`,
    `  database: ${cfg.DATABASE_URL ? "DATABASE_URL" : `embedded PGlite in ${cfg.DATA_DIR}/pglite`}`,
    `  jobs:     ${process.env.AWS_ENDPOINT_URL_DYNAMODB ? "local DynamoDB + SQS emulators, worker in process" : "configured DynamoDB/SQS"}`,
    `  offline:  ${offlineParts.length ? offlineParts.join(", ") : "none"} (set the provider keys in .env to go live)`,
    `  auth:     ${cfg.AUTH_REQUIRED ? "API key required (npm run keys -- create --owner <name>)" : "open: requests without a key act as owner 'local' (AUTH_REQUIRED=true to require keys)"}`,
    cfg.HOST === "127.0.0.1" ? "  listening on loopback only" : `  listening on ${cfg.HOST}`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  const stop = async (signal: string) => {
    log.info("shutting down", { signal });
    await server.close();
    await (await database()).close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error) => {
    log.error("failed to start", { error });
    process.exit(1);
  });
}
