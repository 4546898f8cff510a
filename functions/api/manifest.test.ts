import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { routes as docsRoutes } from "./docs.ts";
import { apiRoutes, routeManifest } from "./manifest.ts";
import { resourceRoutes } from "./routes.ts";

describe("route manifest", () => {
  it("serves every resource route and the API reference", () => {
    expect(apiRoutes).toEqual([...resourceRoutes, ...docsRoutes]);
  });

  it("names a Lambda handler export for every route", async () => {
    expect(routeManifest).toHaveLength(apiRoutes.length);
    for (const { handler } of routeManifest) {
      const [file, exportName] = handler.split(".");
      const module = await import(/* @vite-ignore */ pathToFileURL(`${file}.ts`).href);
      expect(typeof module[exportName ?? ""], handler).toBe("function");
    }
  });
});
