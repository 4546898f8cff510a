ALTER TABLE "spend" ADD COLUMN "step" text;--> statement-breakpoint
ALTER TABLE "spend" ADD COLUMN "settled" boolean DEFAULT true NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "spend_job_step_idx" ON "spend" USING btree ("job_id","step");