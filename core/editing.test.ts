import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, harnesses } from "../test/support/drivers.ts";
import { setAssetImage, updateAsset } from "./assets.ts";
import { LOCAL_PRINCIPAL, withPrincipal } from "./auth.ts";
import { type DriverName, migrate, useDatabase } from "./db/client.ts";
import { assets } from "./db/schema.ts";
import { generateFrame } from "./frames.ts";
import { createProject, getFullProject, softDeleteProject, updateProject } from "./projects.ts";
import { renderCard } from "./providers/offline/card.ts";
import { regenerateStoryboard } from "./regenerate.ts";
import { writeLocalFile } from "./storage/local.ts";
import {
  createStoryboard,
  deleteStoryboard,
  reorderStoryboards,
  setStoryboardFrame,
  updateStoryboard,
} from "./storyboard-edits.ts";
import { recordVersion, selectVersion, storyboardVersions } from "./versions.ts";

const asLocal = (name: string, fn: () => Promise<void>) =>
  it(name, () => withPrincipal(LOCAL_PRINCIPAL, fn), 60_000);

const png = (seed: string) =>
  renderCard({ width: 32, height: 18, title: seed, prompt: "", label: "", seed });

describe.each(["pglite", "pg", "neon"] as DriverName[])("editing and versions on %s", (driver) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harnesses[driver]("editing");
    await migrate(h.database);
    useDatabase(h.database);
  });
  afterAll(async () => {
    useDatabase(undefined);
    await h?.stop();
  });

  asLocal(
    "edit → stale → regenerate → fresh → rollback, with provenance, in one read",
    async () => {
      const project = await createProject("cycle");
      const other = await createProject("other");
      const { db } = h.database;
      const [cat, dog] = await db
        .insert(assets)
        .values([
          { projectId: project.id, name: "Cat" },
          { projectId: project.id, name: "Dog" },
        ])
        .returning();
      const [stranger] = await db
        .insert(assets)
        .values({ projectId: other.id, name: "Stranger" })
        .returning();
      for (const a of [cat, dog]) {
        await setAssetImage(
          a?.id as number,
          await writeLocalFile(`t/${driver}-${a?.id}.png`, png(`a${a?.id}`)),
        );
      }

      // Shots: appended, inserted at a position, moved, reordered, deleted — always 1..n.
      const s1 = await createStoryboard(project.id, {
        frame_prompt: "a cat",
        shot_prompt: "pan",
        frame_asset_ids: [cat?.id as number],
      });
      const s2 = await createStoryboard(project.id, { frame_prompt: "a dog", shot_prompt: "zoom" });
      const s0 = await createStoryboard(project.id, {
        frame_prompt: "title",
        shot_prompt: "fade",
        position: 1,
      });
      expect([
        s0.position,
        (await getFullProject(project.id)).storyboards.map((b) => b.id),
      ]).toEqual([1, [s0.id, s1.id, s2.id]]);
      await updateStoryboard(s0.id, { position: 3 });
      expect((await getFullProject(project.id)).storyboards.map((b) => b.id)).toEqual([
        s1.id,
        s2.id,
        s0.id,
      ]);
      await reorderStoryboards(project.id, [s2.id, s0.id, s1.id]);
      await deleteStoryboard(s0.id);
      const afterDelete = (await getFullProject(project.id)).storyboards;
      expect(afterDelete.map((b) => [b.id, b.position])).toEqual([
        [s2.id, 1],
        [s1.id, 2],
      ]);

      // Bad input: nothing written.
      await expect(
        createStoryboard(project.id, { frame_prompt: "x", shot_prompt: "y", position: 4 }),
      ).rejects.toMatchObject({ status: 400, code: "position_out_of_range" });
      await expect(reorderStoryboards(project.id, [s1.id])).rejects.toMatchObject({
        code: "not_a_permutation",
      });
      await expect(reorderStoryboards(project.id, [s1.id, s1.id])).rejects.toMatchObject({
        code: "not_a_permutation",
      });
      await expect(
        updateStoryboard(s1.id, {
          dialogue: [{ speaker_asset_id: stranger?.id as number, text: "hi" }],
        }),
      ).rejects.toMatchObject({ status: 400, code: "speaker_not_in_project" });
      await expect(updateStoryboard(s1.id, { position: 0 })).rejects.toMatchObject({
        code: "position_out_of_range",
      });
      expect((await getFullProject(project.id)).storyboards.map((b) => b.id)).toEqual([
        s2.id,
        s1.id,
      ]);

      // A generated frame is fresh; editing its prompt makes it stale.
      await generateFrame(s1.id, "a cat", [cat?.id as number]);
      let board = (await getFullProject(project.id)).storyboards.find((b) => b.id === s1.id);
      expect(board?.frameStale).toBe(false);
      await updateStoryboard(s1.id, { frame_prompt: "a cat at night" });
      board = (await getFullProject(project.id)).storyboards.find((b) => b.id === s1.id);
      expect(board?.frameStale).toBe(true);

      // A shot video made from this frame: fresh until the frame changes.
      await recordVersion({
        projectId: project.id,
        storyboardId: s1.id,
        kind: "video",
        url: "http://127.0.0.1:1/files/v.mp4",
        source: "generated",
        provenance: { model: "test" },
        inputs: { frame_version_id: board?.frameVersionId, shot_prompt: board?.shotPrompt },
      });
      expect(
        (await getFullProject(project.id)).storyboards.find((b) => b.id === s1.id)?.videoStale,
      ).toBe(false);

      // Regenerate: the LLM rewrites both prompts from the note, then a new frame: fresh again.
      const regenerated = await regenerateStoryboard(s1.id, "make it night");
      expect(regenerated.framePrompt).toContain("make it night");
      expect(regenerated.shotPrompt).toContain("make it night");
      const full = await getFullProject(project.id);
      board = full.storyboards.find((b) => b.id === s1.id);
      expect([board?.frameStale, board?.videoStale]).toEqual([false, true]);

      // An asset's new image makes the frames drawn from it stale.
      await setAssetImage(
        cat?.id as number,
        await writeLocalFile(`t/${driver}-cat2.png`, png("cat2")),
      );
      expect(
        (await getFullProject(project.id)).storyboards.find((b) => b.id === s1.id)?.frameStale,
      ).toBe(true);

      // History: newest first, the regenerated frame's provenance names template and inputs.
      const history = await storyboardVersions(s1.id);
      expect(history.map((v) => [v.kind, v.source])).toEqual([
        ["frame", "regenerated"],
        ["video", "generated"],
        ["frame", "generated"],
      ]);
      const [latest, , first] = history;
      expect(latest?.current).toBe(true);
      expect(first?.current).toBe(false);
      expect(latest?.provenance).toMatchObject({
        provider: "offline",
        prompt: regenerated.framePrompt,
        template: { step: "storyboard_regenerate", version: 1 },
        input_versions: { asset_images: { [String(cat?.id)]: expect.any(Number) } },
        rewrite: {
          detail: "make it night",
          previous: { frame_prompt: "a cat at night", shot_prompt: "pan" },
        },
      });
      expect(first?.provenance).toMatchObject({
        model: expect.any(String),
        prompt: "a cat",
        template: null,
      });

      // Rollback: the first frame is current again, its URL back on the storyboard.
      await selectVersion({ storyboardId: s1.id }, first?.version_id as number);
      board = (await getFullProject(project.id)).storyboards.find((b) => b.id === s1.id);
      expect(board?.frameImageUrl).toBe(first?.url);
      expect(board?.frameVersionId).toBe(first?.version_id);
      await expect(
        selectVersion({ storyboardId: s2.id }, first?.version_id as number),
      ).rejects.toMatchObject({ status: 404 });
      await expect(selectVersion({ storyboardId: s1.id }, 99_999_999)).rejects.toMatchObject({
        status: 404,
      });

      // An uploaded frame is a version too.
      await setStoryboardFrame(s2.id, await writeLocalFile(`t/${driver}-own.png`, png("own")));
      expect((await storyboardVersions(s2.id))[0]).toMatchObject({
        source: "uploaded",
        current: true,
      });

      // Assets and projects take edits; a deleted project takes none.
      expect(await updateAsset(dog?.id as number, { voice: "Puck" })).toMatchObject({
        voice: "Puck",
      });
      const patched = await updateProject(project.id, {
        settings: { voice: "Kore", aspect_ratio: "9:16" },
      });
      expect(patched.settings).toMatchObject({ voice: "Kore", aspect_ratio: "9:16" });
      await softDeleteProject(other.id);
      await expect(updateProject(other.id, { name: "x" })).rejects.toMatchObject({ status: 404 });

      // Still one round trip for the whole project with staleness.
      const before = h.roundTrips();
      await getFullProject(project.id);
      expect(h.roundTrips() - before).toBe(1);
      expect(
        (
          await h.database.db
            .select()
            .from(assets)
            .where(eq(assets.id, cat?.id as number))
        )[0]?.imageVersionId,
      ).toBeTruthy();
    },
  );
});
