import { buildApp } from "./app.ts";
import { resourceRoutes } from "./routes.ts";
import { API_KEY_SCHEME } from "./types.ts";

export function openApiDocument() {
  const app = buildApp(resourceRoutes);
  // Every keyed /api/v1 operation names this scheme (app.ts, documentedChain).
  app.openAPIRegistry.registerComponent("securitySchemes", API_KEY_SCHEME, {
    type: "http",
    scheme: "bearer",
    description:
      "An API key, sent as `Authorization: Bearer <key>`. Keys come from `npm run keys` (`-- create --owner <name>`, `list`, `revoke <id>`). Without AUTH_REQUIRED a request with no key acts as the local owner; a key that is sent must be valid.",
  });
  return app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "Storyboard Studio API",
      version: "1.0.0",
      description:
        "Idea → script → assets → storyboards → frames → shot videos → final cut. Errors are `{detail, code}`.",
    },
  });
}
