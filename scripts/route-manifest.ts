/**
 * Writes infra/routes.json from the route table, so infrastructure declares exactly the app's
 * routes without importing the handlers' code into the SST config. A test fails if it is stale.
 */
import { writeFileSync } from "node:fs";
import { routeManifest } from "../functions/api/manifest.ts";

export const MANIFEST_PATH = "infra/routes.json";
writeFileSync(MANIFEST_PATH, `${JSON.stringify(routeManifest, null, 2)}\n`);
console.log(`${MANIFEST_PATH}: ${routeManifest.length} routes`);
