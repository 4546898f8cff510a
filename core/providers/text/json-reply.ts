import { jsonrepair } from "jsonrepair";
import type { z } from "zod";

export type JsonReply<T> =
  | { ok: true; value: T /** jsonrepair had to fix the text first. */; repaired: boolean }
  | { ok: false; problem: string };

/** The text inside the first Markdown code fence, or all of it (a closing fence may be missing). */
const unfenced = (content: string) =>
  content.match(/```[a-z]*\s*\n?([\s\S]*?)(?:```|$)/i)?.[1] ?? content;

/** Parses as is, else after jsonrepair (trailing commas, comments, quotes, unclosed brackets…). */
function parse(text: string): { data: unknown; repaired: boolean } | { error: string } {
  try {
    return { data: JSON.parse(text), repaired: false };
  } catch (error) {
    try {
      return { data: JSON.parse(jsonrepair(text)), repaired: true };
    } catch {
      return { error: (error as Error).message };
    }
  }
}

const schemaProblem = (error: z.ZodError) =>
  `the JSON does not match the schema (${error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
    .join("; ")})`;

/**
 * Reads a model's JSON reply leniently and validates it. Code fences, prose around the object and
 * broken syntax are fixed here for free (jsonrepair); only a reply that still does not match the
 * schema comes back with a problem, which the caller may feed back to the model for one paid repair.
 * A reply the provider says was cut off is never patched up: closing its brackets would silently
 * drop the end of a script or the last shots.
 */
export function readJsonReply<T>(
  schema: z.ZodType<T>,
  content: string,
  truncated: boolean,
): JsonReply<T> {
  if (truncated) return { ok: false, problem: "the reply was cut off before the JSON ended" };
  // The object up to its last brace drops prose after it; the whole tail keeps unclosed brackets.
  const candidates = new Set<string>();
  for (const text of [content, unfenced(content)]) {
    const start = text.indexOf("{");
    if (start < 0) continue;
    const end = text.lastIndexOf("}");
    if (end > start) candidates.add(text.slice(start, end + 1));
    candidates.add(text.slice(start));
  }
  if (candidates.size === 0) return { ok: false, problem: "the reply contains no JSON object" };
  let problem = "";
  for (const text of candidates) {
    const parsed = parse(text);
    if ("error" in parsed) {
      problem ||= `the JSON does not parse (${parsed.error})`;
      continue;
    }
    const result = schema.safeParse(parsed.data);
    if (result.success) return { ok: true, value: result.data, repaired: parsed.repaired };
    problem ||= schemaProblem(result.error);
  }
  return { ok: false, problem };
}
