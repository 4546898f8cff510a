import { LAMBDA_EXTERNALS } from "../scripts/bundle-externals";
import { databaseUrl } from "./secrets";
import { settings } from "./settings";

/** Applies the committed drizzle migrations on every deploy (not under `sst dev`). */
export const migrator = new sst.aws.Function("Migrator", {
  handler: "functions/migrate.handler",
  runtime: "nodejs24.x",
  timeout: "5 minutes",
  link: [databaseUrl],
  environment: { ...settings, MIGRATIONS_DIR: "core/db/migrations" },
  copyFiles: [{ from: "core/db/migrations", to: "core/db/migrations" }],
  nodejs: { esbuild: { external: LAMBDA_EXTERNALS } },
});

if (!$dev) {
  new aws.lambda.Invocation("MigrateOnDeploy", {
    functionName: migrator.name,
    // A new input each deploy makes Pulumi invoke it again.
    input: JSON.stringify({ deployedAt: Date.now() }),
  });
}
