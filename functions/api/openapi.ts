import { buildApp } from "./app.ts";
import { resourceRoutes } from "./routes.ts";

export function openApiDocument() {
  return buildApp(resourceRoutes).getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "Storyboard Studio API",
      version: "1.0.0",
      description:
        "Idea → script → assets → storyboards → frames → shot videos → final cut. Errors are `{detail, code}`.",
    },
  });
}
