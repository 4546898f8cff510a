import { and, asc, eq, sql } from "drizzle-orm";
import { database, db } from "./db/client.ts";
import { type Prompt, prompts, promptVersions } from "./db/schema.ts";
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

/**
 * Creates the (step, name) template or replaces its text, raising its version, and keeps the text
 * under that version in `prompt_versions` — one transaction, so races cannot duplicate it.
 */
export async function upsertPrompt(input: PromptInput): Promise<Prompt> {
  const [[row]] = await (await database()).atomic(
    (d) =>
      [
        d
          .insert(prompts)
          .values(input)
          .onConflictDoUpdate({
            target: [prompts.step, prompts.name],
            set: {
              prompt: input.prompt,
              version: sql`${prompts.version} + 1`,
              updatedAt: sql`now()`,
            },
          })
          .returning(),
        d.execute(sql`insert into ${promptVersions} (prompt_id, step, name, version, prompt)
          select id, step, name, version, prompt from ${prompts}
          where step = ${input.step} and name = ${input.name}
          on conflict do nothing`),
      ] as const,
  );
  if (!row) throw new Error("upsert returned no row");
  return row;
}

/**
 * The template a step uses, with its version for provenance. A built-in step's template is put in
 * the table (as version 1) the first time it is needed, so admins can edit it like any other.
 */
export async function stepTemplate(
  step: string,
  builtIn: string,
  name = "default",
): Promise<Prompt> {
  const find = async () =>
    (
      await (
        await db()
      )
        .select()
        .from(prompts)
        .where(and(eq(prompts.step, step), eq(prompts.name, name)))
    )[0];
  const found = await find();
  if (found) return found;
  await (await database()).atomic(
    (d) =>
      [
        d.insert(prompts).values({ step, name, prompt: builtIn }).onConflictDoNothing(),
        d.execute(sql`insert into ${promptVersions} (prompt_id, step, name, version, prompt)
          select id, step, name, version, prompt from ${prompts}
          where step = ${step} and name = ${name}
          on conflict do nothing`),
      ] as const,
  );
  const seeded = await find();
  if (!seeded) throw new Error(`template ${step}/${name} could not be created`);
  return seeded;
}

export async function deletePrompt(id: number): Promise<void> {
  const deleted = await (await db())
    .delete(prompts)
    .where(eq(prompts.id, id))
    .returning({ id: prompts.id });
  if (deleted.length === 0) throw new AppError(404, "not_found", "提示词不存在");
}
