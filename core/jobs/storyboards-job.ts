import { eq } from "drizzle-orm";
import { db } from "../db/client.ts";
import { storyboards } from "../db/schema.ts";
import { STORYBOARDS_STEP, storedTemplateOf } from "../step-templates.ts";
import { generateStoryboards } from "../storyboards-generate.ts";
import type { Outcome, StepContext } from "./outcome.ts";
import type { Job } from "./types.ts";

/**
 * A render's storyboards step: the project's script split into shots by the LLM, with the
 * project's own `create_shots` template when it has one (the first by name), else the built-in
 * one. Only a render without any shots runs it, so it never replaces shots a user made.
 */
export async function runStoryboardsJob(
  job: Job,
  _report: StepContext["report"],
  step: StepContext,
): Promise<Outcome> {
  const existing = await (await db())
    .select({ id: storyboards.id })
    .from(storyboards)
    .where(eq(storyboards.projectId, job.project_id));
  // Shots added since the render was planned are the user's: kept, not replaced.
  if (existing.length) {
    return { kind: "done", result: { storyboard_ids: existing.map((b) => b.id), kept: true } };
  }
  const template = await storedTemplateOf(STORYBOARDS_STEP);
  // Nothing is paid for once the job is canceled or taken over.
  await step.holdLease();
  const boards = await generateStoryboards(
    job.project_id,
    String(job.input.script),
    template.prompt,
  );
  return {
    kind: "done",
    result: {
      storyboard_ids: boards.map((b) => b.id),
      template: {
        id: template.id,
        step: template.step,
        name: template.name,
        version: template.version,
      },
    },
  };
}
