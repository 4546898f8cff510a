import type { z } from "zod";

export type JsonReply<T> = { ok: true; value: T } | { ok: false; problem: string };

/**
 * Reads a model's JSON reply leniently (code fences and prose around the object are common even
 * in JSON mode) and validates it; the problem text is fed back to the model for one repair.
 */
export function readJsonReply<T>(
  schema: z.ZodType<T>,
  content: string,
  truncated: boolean,
): JsonReply<T> {
  if (truncated) return { ok: false, problem: "the reply was cut off before the JSON ended" };
  const start = content.indexOf("{");
  const end = content.lastIndexOf("}");
  if (start < 0 || end < start) return { ok: false, problem: "the reply contains no JSON object" };
  let data: unknown;
  try {
    data = JSON.parse(content.slice(start, end + 1));
  } catch (error) {
    return { ok: false, problem: `the JSON does not parse (${(error as Error).message})` };
  }
  const result = schema.safeParse(data);
  if (result.success) return { ok: true, value: result.data };
  const issues = result.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
  return { ok: false, problem: `the JSON does not match the schema (${issues.join("; ")})` };
}
