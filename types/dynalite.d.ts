declare module "dynalite" {
  import type { Server } from "node:http";
  /** A DynamoDB-compatible HTTP server (in memory unless `path` is given). */
  export default function dynalite(options?: { path?: string; createTableMs?: number }): Server;
}
