import { relations, sql } from "drizzle-orm";
import {
  boolean,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

const id = () => integer("id").primaryKey().generatedAlwaysAsIdentity();
const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date()),
};

/** Editable prompt templates; a template is addressed by (step, name). */
export const prompts = pgTable(
  "prompts",
  {
    id: id(),
    step: text("step").notNull(),
    name: text("name").notNull(),
    prompt: text("prompt").notNull(),
    /** Raised each time the text is replaced; provenance names the version a generation used. */
    version: integer("version").notNull().default(1),
    ...timestamps,
  },
  // The unique index also serves "by step" lookups through its leading column.
  (t) => [uniqueIndex("prompts_step_name_key").on(t.step, t.name)],
);

/** Every text a template ever had, so a version named in provenance can be read back. */
export const promptVersions = pgTable(
  "prompt_versions",
  {
    id: id(),
    /** No foreign key: the history outlives a deleted template. */
    promptId: integer("prompt_id").notNull(),
    step: text("step").notNull(),
    name: text("name").notNull(),
    version: integer("version").notNull(),
    prompt: text("prompt").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("prompt_versions_prompt_version_key").on(t.promptId, t.version)],
);

/** API keys: only a SHA-256 of the key is stored; the key itself is shown once, at creation. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: id(),
    owner: text("owner").notNull(),
    keyHash: text("key_hash").notNull(),
    /** The first characters of the key, to recognise it in listings. */
    keyPrefix: text("key_prefix").notNull(),
    admin: boolean("admin").notNull().default(false),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [uniqueIndex("api_keys_key_hash_key").on(t.keyHash)],
);

export const projects = pgTable(
  "projects",
  {
    id: id(),
    /** Every query made for a request is scoped to its key's owner. */
    owner: text("owner").notNull().default("local"),
    name: text("name").notNull(),
    script: text("script"),
    fullScript: text("full_script"),
    promptUsed: jsonb("prompt_used"),
    videoUrl: text("video_url"),
    /** Project settings (aspect ratio, voice, music, …); absent keys take their defaults. */
    settings: jsonb("settings").notNull().default({}),
    /** What the current final cut was made from (shot video versions in order, narration and
     * sound settings): the cut is stale when the same fingerprint of today differs. */
    finalCutInputs: jsonb("final_cut_inputs"),
    /** Soft delete: rows stay for audit and undo, every read filters them out. */
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
    ...timestamps,
  },
  // Paged listing walks an owner's live projects newest first.
  (t) => [
    index("projects_live_id_idx").on(t.id.desc()).where(sql`${t.deletedAt} is null`),
    index("projects_owner_live_idx").on(t.owner, t.id.desc()).where(sql`${t.deletedAt} is null`),
  ],
);

export const assets = pgTable(
  "assets",
  {
    id: id(),
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    originalUrl: text("original_url"),
    /** How the current image was made (provider, model, prompt), to reproduce or audit it. */
    imageMeta: jsonb("image_meta"),
    /** The voice this character speaks with (a TTS voice name). */
    voice: text("voice"),
    /** The current image's version (see `versions`). */
    imageVersionId: integer("image_version_id"),
    ...timestamps,
  },
  (t) => [index("assets_project_id_idx").on(t.projectId, t.id)],
);

export const storyboards = pgTable(
  "storyboards",
  {
    id: id(),
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    /** Order of the shot within the project's film, from 1. */
    position: integer("position").notNull(),
    framePrompt: text("frame_prompt").notNull().default(""),
    frameAssetIds: integer("frame_asset_ids").array().notNull().default(sql`'{}'::integer[]`),
    frameImageUrl: text("frame_image_url"),
    /** How the current first frame was made (provider, model, prompt, reference URLs). */
    frameMeta: jsonb("frame_meta"),
    shotPrompt: text("shot_prompt").notNull().default(""),
    shotVideoUrl: text("shot_video_url"),
    durationSeconds: integer("duration_seconds"),
    narration: text("narration"),
    /** Lines spoken in the shot: `[{speaker_asset_id, text}]`, speakers from the same project. */
    dialogue: jsonb("dialogue").notNull().default([]),
    /** How the cut enters this shot from the previous one. */
    transition: text("transition").notNull().default("cut"),
    /** A frame the shot must end on (optional). */
    lastFrameUrl: text("last_frame_url"),
    /** Current versions (see `versions`); their inputs decide staleness. */
    frameVersionId: integer("frame_version_id"),
    videoVersionId: integer("video_version_id"),
    narrationVersionId: integer("narration_version_id"),
    ...timestamps,
  },
  (t) => [index("storyboards_project_position_idx").on(t.projectId, t.position, t.id)],
);

/**
 * Every frame, shot video, narration clip and asset image ever made or supplied. `provenance`
 * says how (model, prompt text, template and version, input versions, cost, job); `inputs` is
 * what it was made from, compared with the present to decide whether it is stale.
 */
export const versions = pgTable(
  "versions",
  {
    id: id(),
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    storyboardId: integer("storyboard_id").references(() => storyboards.id, {
      onDelete: "cascade",
    }),
    assetId: integer("asset_id").references(() => assets.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    url: text("url").notNull(),
    source: text("source").notNull(),
    provenance: jsonb("provenance").notNull().default({}),
    inputs: jsonb("inputs").notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("versions_storyboard_idx").on(t.storyboardId, t.kind, t.id.desc()),
    index("versions_asset_idx").on(t.assetId, t.id.desc()),
  ],
);

/** One row per paid provider call, with its estimated cost from the price table. */
export const spend = pgTable(
  "spend",
  {
    id: id(),
    owner: text("owner").notNull(),
    projectId: integer("project_id").notNull(),
    kind: text("kind").notNull(),
    provider: text("provider").notNull(),
    model: text("model").notNull(),
    /** Tokens in/out, images or video seconds, as the kind counts them. */
    units: jsonb("units").notNull(),
    costUsd: numeric("cost_usd", { precision: 12, scale: 6, mode: "number" }).notNull(),
    jobId: text("job_id"),
    /** Which paid step of the job this row prices (`video_start`, `asset_image:12`, …). */
    step: text("step"),
    /** False while the cost is the estimate recorded when the paid call was accepted. */
    settled: boolean("settled").notNull().default(true),
    ...timestamps,
  },
  (t) => [
    index("spend_project_idx").on(t.projectId),
    index("spend_owner_idx").on(t.owner),
    // A paid step of a job is one row, however often its message is delivered.
    uniqueIndex("spend_job_step_idx").on(t.jobId, t.step),
  ],
);

export const projectRelations = relations(projects, ({ many }) => ({
  assets: many(assets),
  storyboards: many(storyboards),
}));
export const assetRelations = relations(assets, ({ one }) => ({
  project: one(projects, { fields: [assets.projectId], references: [projects.id] }),
}));
export const storyboardRelations = relations(storyboards, ({ one }) => ({
  project: one(projects, { fields: [storyboards.projectId], references: [projects.id] }),
  frameVersion: one(versions, {
    fields: [storyboards.frameVersionId],
    references: [versions.id],
    relationName: "frame_version",
  }),
  videoVersion: one(versions, {
    fields: [storyboards.videoVersionId],
    references: [versions.id],
    relationName: "video_version",
  }),
}));
export const versionRelations = relations(versions, ({ one }) => ({
  project: one(projects, { fields: [versions.projectId], references: [projects.id] }),
}));

export type ApiKey = typeof apiKeys.$inferSelect;
export type Prompt = typeof prompts.$inferSelect;
export type Project = typeof projects.$inferSelect;
export type Asset = typeof assets.$inferSelect;
export type Storyboard = typeof storyboards.$inferSelect;
export type Version = typeof versions.$inferSelect;
