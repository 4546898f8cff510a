ALTER TABLE "assets" ADD COLUMN "image_meta" jsonb;--> statement-breakpoint
ALTER TABLE "storyboards" ADD COLUMN "frame_meta" jsonb;