import { functionDefaults } from "./defaults";
import { jobQueue, jobsTable } from "./jobs";
import routeManifest from "./routes.json";
import { allSecrets } from "./secrets";
import { allowedOrigins } from "./settings";

export const api = new sst.aws.ApiGatewayV2("Api", {
  cors: {
    allowOrigins: allowedOrigins,
    allowHeaders: ["content-type", "authorization", "idempotency-key", "prefer", "x-request-id"],
    exposeHeaders: ["location", "x-request-id"],
  },
  accessLog: { retention: "1 month" },
  transform: {
    stage: (args) => {
      args.defaultRouteSettings = { throttlingBurstLimit: 100, throttlingRateLimit: 50 };
    },
  },
});

/**
 * One route → one Lambda, from the same table the local server and the OpenAPI document use
 * (`npm run routes` writes routes.json from it; a test fails when it is stale).
 */
for (const { method, path, handler } of routeManifest) {
  api.route(`${method} ${path}`, {
    ...functionDefaults,
    handler,
    // Under API Gateway's fixed 30 s; provider calls give up at 25 s (PROVIDER_TIMEOUT_MS).
    timeout: "29 seconds",
    memory: "1024 MB",
    link: [jobsTable, jobQueue, ...allSecrets],
    // The API reference serves Scalar's UI itself (no CDN): its bundle ships beside the handler,
    // where functions/api/docs.ts reads it (SCALAR_BUNDLE_FILE under LAMBDA_TASK_ROOT).
    ...(path === "/docs/scalar.js" && {
      copyFiles: [
        {
          from: "node_modules/@scalar/api-reference/dist/browser/standalone.js",
          to: "scalar/standalone.js",
        },
      ],
    }),
  });
}
