import { asc, eq, sql } from "drizzle-orm";
import { db } from "./db/client.ts";
import { type Prompt, prompts } from "./db/schema.ts";
import { AppError } from "./errors.ts";

export interface PromptInput {
  step: string;
  name: string;
  prompt: string;
}

export async function listPrompts(): Promise<Prompt[]> {
  return (await db()).select().from(prompts).orderBy(asc(prompts.step), asc(prompts.name));
}

export async function listPromptsByStep(step: string): Promise<Prompt[]> {
  return (await db())
    .select()
    .from(prompts)
    .where(eq(prompts.step, step))
    .orderBy(asc(prompts.name));
}

/** Creates the (step, name) template or replaces its text; one statement, so races cannot duplicate it. */
export async function upsertPrompt(input: PromptInput): Promise<Prompt> {
  const [row] = await (await db())
    .insert(prompts)
    .values(input)
    .onConflictDoUpdate({
      target: [prompts.step, prompts.name],
      set: { prompt: input.prompt, updatedAt: sql`now()` },
    })
    .returning();
  if (!row) throw new Error("upsert returned no row");
  return row;
}

export async function deletePrompt(id: number): Promise<void> {
  const deleted = await (await db())
    .delete(prompts)
    .where(eq(prompts.id, id))
    .returning({ id: prompts.id });
  if (deleted.length === 0) throw new AppError(404, "not_found", "提示词不存在");
}
