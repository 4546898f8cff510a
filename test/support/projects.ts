import { assets } from "../../core/db/schema.ts";
import type { TestApi } from "./app.ts";

/** A new project made through the API; its id. */
export async function newProject(api: TestApi, name = "p"): Promise<number> {
  return (await api.call("POST", "/api/v1/projects", { name })).body.id as number;
}

/** A new project with two assets, "cat" and "forest", with or without images. */
export async function projectWithAssets(api: TestApi, withImages: boolean) {
  const id = await newProject(api);
  const rows = await api.database.db
    .insert(assets)
    .values(
      ["cat", "forest"].map((name) => ({
        projectId: id,
        name,
        originalUrl: withImages ? "https://cdn.example.com/x.png" : null,
      })),
    )
    .returning();
  return { id, assetIds: rows.map((r) => r.id) };
}
