import { badRequest } from "./errors.ts";

/**
 * Fills `${name}` placeholders of a user-edited prompt template. Every required variable must be
 * present: a template that silently drops the script would waste a paid generation.
 */
export function renderTemplate(template: string, values: Record<string, string>): string {
  const required = Object.keys(values);
  const missing = required.filter((name) => !template.includes(`\${${name}}`));
  if (missing.length > 0) {
    throw badRequest(
      "template_variable_missing",
      `提示词模板缺少必需的变量: ${missing.join(", ")}。请确保模板中包含: ${required
        .map((n) => `\${${n}}`)
        .join(", ")}`,
    );
  }
  // split/join: values may contain `$&` and other replace() patterns.
  return required.reduce((text, name) => text.split(`\${${name}}`).join(values[name]), template);
}
