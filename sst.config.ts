/// <reference path="./.sst/platform/config.d.ts" />

export default $config({
  app(input) {
    const production = input?.stage === "production";
    return {
      name: "storyboard-studio",
      home: "aws",
      removal: production ? "retain" : "remove",
      protect: production,
    };
  },
  async run() {
    await import("./infra/secrets");
    const { jobQueue, jobsTable } = await import("./infra/jobs");
    await import("./infra/worker");
    const { alerts } = await import("./infra/alarms");
    await import("./infra/migrations");
    const { api } = await import("./infra/api");
    // The console and the API on one origin (the router's); the API also stays at its own URL.
    const { consoleSite } = await import("./infra/console");
    return {
      console: consoleSite.url,
      api: api.url,
      queue: jobQueue.url,
      table: jobsTable.name,
      alerts: alerts.arn,
    };
  },
});
