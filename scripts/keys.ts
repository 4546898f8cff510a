/**
 * API keys: `npm run keys -- create --owner <name> [--admin]`, `npm run keys -- list`,
 * `npm run keys -- revoke <key id>`. Uses the configured database (DATABASE_URL, else the local
 * PGlite: through `npm start` while it runs, else opened here; see core/db/local.ts). A new key is
 * printed once, alone on the last line; only its hash is stored.
 */
import { parseArgs } from "node:util";
import { createApiKey, listApiKeys, revokeApiKey } from "../core/auth.ts";
import { database } from "../core/db/client.ts";

const USAGE = "usage: npm run keys -- create --owner <name> [--admin] | list | revoke <key id>";

async function main(): Promise<number> {
  try {
    process.loadEnvFile();
  } catch {
    // No .env: the local database.
  }
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { owner: { type: "string" }, admin: { type: "boolean", default: false } },
  });
  const [command, argument] = positionals;
  const db = await database();
  try {
    if (command === "create" && values.owner) {
      const created = await createApiKey(values.owner, { admin: values.admin });
      console.log(
        `created key ${created.id} for ${created.owner}${created.admin ? " (admin)" : ""}; it is shown only now:`,
      );
      console.log(created.key);
      return 0;
    }
    if (command === "list") {
      for (const k of await listApiKeys()) {
        const state = k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : "active";
        console.log(`${k.id}\t${k.owner}\t${k.prefix}…\t${k.admin ? "admin" : "user"}\t${state}`);
      }
      return 0;
    }
    if (command === "revoke" && argument && /^\d+$/.test(argument)) {
      const revoked = await revokeApiKey(Number(argument));
      console.log(revoked ? `revoked key ${argument}` : `no active key ${argument}`);
      return revoked ? 0 : 1;
    }
    console.error(USAGE);
    return 2;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`keys: ${(error as Error).message}`);
    process.exit(1);
  },
);
