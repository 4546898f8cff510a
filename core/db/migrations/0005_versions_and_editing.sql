CREATE TABLE "prompt_versions" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "prompt_versions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"prompt_id" integer NOT NULL,
	"step" text NOT NULL,
	"name" text NOT NULL,
	"version" integer NOT NULL,
	"prompt" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "versions" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "versions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"project_id" integer NOT NULL,
	"storyboard_id" integer,
	"asset_id" integer,
	"kind" text NOT NULL,
	"url" text NOT NULL,
	"source" text NOT NULL,
	"provenance" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"inputs" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "assets" ADD COLUMN "voice" text;--> statement-breakpoint
ALTER TABLE "assets" ADD COLUMN "image_version_id" integer;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "settings" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "final_cut_inputs" jsonb;--> statement-breakpoint
ALTER TABLE "prompts" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "storyboards" ADD COLUMN "duration_seconds" integer;--> statement-breakpoint
ALTER TABLE "storyboards" ADD COLUMN "narration" text;--> statement-breakpoint
ALTER TABLE "storyboards" ADD COLUMN "dialogue" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "storyboards" ADD COLUMN "transition" text DEFAULT 'cut' NOT NULL;--> statement-breakpoint
ALTER TABLE "storyboards" ADD COLUMN "last_frame_url" text;--> statement-breakpoint
ALTER TABLE "storyboards" ADD COLUMN "frame_version_id" integer;--> statement-breakpoint
ALTER TABLE "storyboards" ADD COLUMN "video_version_id" integer;--> statement-breakpoint
ALTER TABLE "storyboards" ADD COLUMN "narration_version_id" integer;--> statement-breakpoint
ALTER TABLE "versions" ADD CONSTRAINT "versions_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "versions" ADD CONSTRAINT "versions_storyboard_id_storyboards_id_fk" FOREIGN KEY ("storyboard_id") REFERENCES "public"."storyboards"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "versions" ADD CONSTRAINT "versions_asset_id_assets_id_fk" FOREIGN KEY ("asset_id") REFERENCES "public"."assets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "prompt_versions_prompt_version_key" ON "prompt_versions" USING btree ("prompt_id","version");--> statement-breakpoint
CREATE INDEX "versions_storyboard_idx" ON "versions" USING btree ("storyboard_id","kind","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "versions_asset_idx" ON "versions" USING btree ("asset_id","id" DESC NULLS LAST);--> statement-breakpoint
-- Positions from 1, gapless, in the order the film already had.
UPDATE "storyboards" s SET "position" = r.rn
FROM (SELECT "id", row_number() OVER (PARTITION BY "project_id" ORDER BY "position", "id") AS rn FROM "storyboards") r
WHERE s."id" = r."id";--> statement-breakpoint
-- Every template's current text is its version 1.
INSERT INTO "prompt_versions" ("prompt_id", "step", "name", "version", "prompt", "created_at")
SELECT "id", "step", "name", "version", "prompt", "updated_at" FROM "prompts";--> statement-breakpoint
-- The current asset images, frames and shot videos become the first versions of their history.
WITH ins AS (
  INSERT INTO "versions" ("project_id", "asset_id", "kind", "url", "source", "provenance", "inputs", "created_at")
  SELECT "project_id", "id", 'image', "original_url",
    CASE WHEN "image_meta" IS NULL THEN 'uploaded' ELSE 'generated' END,
    coalesce("image_meta", '{}'::jsonb) || '{"migrated": true}'::jsonb, '{}'::jsonb, "updated_at"
  FROM "assets" WHERE "original_url" IS NOT NULL
  RETURNING "id", "asset_id"
)
UPDATE "assets" a SET "image_version_id" = ins."id" FROM ins WHERE a."id" = ins."asset_id";--> statement-breakpoint
WITH ins AS (
  INSERT INTO "versions" ("project_id", "storyboard_id", "kind", "url", "source", "provenance", "inputs", "created_at")
  SELECT s."project_id", s."id", 'frame', s."frame_image_url",
    CASE WHEN s."frame_meta" IS NULL THEN 'uploaded' ELSE 'generated' END,
    coalesce(s."frame_meta", '{}'::jsonb) || '{"migrated": true}'::jsonb,
    jsonb_build_object(
      'frame_prompt', s."frame_prompt",
      'asset_ids', to_jsonb(s."frame_asset_ids"),
      'asset_image_versions', coalesce(
        (SELECT jsonb_object_agg(a."id"::text, a."image_version_id") FROM "assets" a WHERE a."id" = ANY(s."frame_asset_ids")),
        '{}'::jsonb)),
    s."updated_at"
  FROM "storyboards" s WHERE s."frame_image_url" IS NOT NULL
  RETURNING "id", "storyboard_id"
)
UPDATE "storyboards" s SET "frame_version_id" = ins."id" FROM ins WHERE s."id" = ins."storyboard_id";--> statement-breakpoint
WITH ins AS (
  INSERT INTO "versions" ("project_id", "storyboard_id", "kind", "url", "source", "provenance", "inputs", "created_at")
  SELECT s."project_id", s."id", 'video', s."shot_video_url", 'generated', '{"migrated": true}'::jsonb,
    jsonb_build_object('frame_version_id', s."frame_version_id", 'shot_prompt', s."shot_prompt"),
    s."updated_at"
  FROM "storyboards" s WHERE s."shot_video_url" IS NOT NULL
  RETURNING "id", "storyboard_id"
)
UPDATE "storyboards" s SET "video_version_id" = ins."id" FROM ins WHERE s."id" = ins."storyboard_id";
