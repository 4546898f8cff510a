import { functionDefaults } from "./defaults";
import { databaseUrl } from "./secrets";

/** Applies the committed drizzle migrations on every deploy (not under `sst dev`). */
export const migrator = new sst.aws.Function("Migrator", {
  ...functionDefaults,
  handler: "functions/migrate.handler",
  timeout: "5 minutes",
  link: [databaseUrl],
  environment: { ...functionDefaults.environment, MIGRATIONS_DIR: "core/db/migrations" },
  copyFiles: [{ from: "core/db/migrations", to: "core/db/migrations" }],
});

if (!$dev) {
  new aws.lambda.Invocation("MigrateOnDeploy", {
    functionName: migrator.name,
    // A new input each deploy makes Pulumi invoke it again.
    input: JSON.stringify({ deployedAt: Date.now() }),
  });
}
