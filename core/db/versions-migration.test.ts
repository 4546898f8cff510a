import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asc, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { MIGRATIONS_DIR, migrate, openDatabase } from "./client.ts";
import { assets, promptVersions, storyboards, versions } from "./schema.ts";

/** The migrations folder as it was before `tag`: a database of that age can be built. */
async function migrationsBefore(tag: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "migrations-"));
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
  const journalPath = join(dir, "meta", "_journal.json");
  const journal = JSON.parse(await readFile(journalPath, "utf8"));
  const cut = journal.entries.findIndex((e: { tag: string }) => e.tag === tag);
  journal.entries = journal.entries.slice(0, cut);
  await writeFile(journalPath, JSON.stringify(journal));
  return dir;
}

describe("the versions migration on a database with existing work", () => {
  it("numbers shots from 1 and makes current frames, videos, images and templates version 1", async () => {
    const database = await openDatabase({ driver: "pglite" });
    await migrate(database, await migrationsBefore("0005_versions_and_editing"));
    const { db } = database;
    await db.execute(
      sql`insert into prompts (step, name, prompt) values ('storyboard', 'default', 'T \${script}')`,
    );
    await db.execute(sql`insert into projects (name) values ('old')`);
    await db.execute(
      sql`insert into assets (project_id, name, original_url, image_meta) values (1, 'cat', 'https://cdn.example/cat.png', '{"model":"m"}'), (1, 'dog', null, null)`,
    );
    await db.execute(sql`insert into storyboards (project_id, position, frame_prompt, frame_asset_ids, frame_image_url, frame_meta, shot_prompt, shot_video_url)
      values (1, 0, 'a cat', '{1}', 'https://cdn.example/f0.png', '{"model":"img"}', 'pan', 'https://cdn.example/v0.mp4'),
             (1, 5, 'a dog', '{2}', null, null, 'zoom', null),
             (1, 5, 'both', '{}', 'https://cdn.example/f2.png', null, 'tilt', null)`);

    await migrate(database);

    const boards = await db.select().from(storyboards).orderBy(asc(storyboards.id));
    expect(boards.map((b) => b.position)).toEqual([1, 2, 3]);
    const rows = await db.select().from(versions).orderBy(asc(versions.id));
    expect(rows.map((v) => [v.kind, v.url, v.source])).toEqual([
      ["image", "https://cdn.example/cat.png", "generated"],
      ["frame", "https://cdn.example/f0.png", "generated"],
      ["frame", "https://cdn.example/f2.png", "uploaded"],
      ["video", "https://cdn.example/v0.mp4", "generated"],
    ]);
    const [image, frame, , video] = rows;
    const [cat] = await db.select().from(assets).orderBy(asc(assets.id));
    expect(cat?.imageVersionId).toBe(image?.id);
    expect(boards[0]).toMatchObject({ frameVersionId: frame?.id, videoVersionId: video?.id });
    expect(boards[1]).toMatchObject({ frameVersionId: null, videoVersionId: null });
    expect(frame?.inputs).toEqual({
      frame_prompt: "a cat",
      asset_ids: [1],
      asset_image_versions: { "1": image?.id },
    });
    expect(video?.inputs).toEqual({ frame_version_id: frame?.id, shot_prompt: "pan" });
    expect(frame?.provenance).toMatchObject({ model: "img", migrated: true });
    const templates = await db.select().from(promptVersions);
    expect(templates).toMatchObject([{ step: "storyboard", name: "default", version: 1 }]);
    await database.close();
  });
});
