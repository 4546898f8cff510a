import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import type { Reply } from "./app.ts";

/** The parts of an OpenAPI 3.1 document the conformance check reads. */
interface MediaType {
  schema?: object;
}
interface Operation {
  responses: Record<string, { content?: Record<string, MediaType> }>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, object> };
}

const pointer = (...parts: string[]) =>
  parts.map((p) => `/${p.replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");

/**
 * Checks real answers against an OpenAPI 3.1 document: the status must be documented for the
 * operation and a JSON body must match its schema (JSON Schema 2020-12, `#/components/schemas`
 * refs resolved inside the document). Records which operations were exercised.
 */
export function conformanceChecker(doc: OpenApiDocument) {
  // Formats (uri, …) are not asserted: zod checks them on the way in, and answers echo stored text.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema(doc, "openapi");
  const compiled = new Map<string, ValidateFunction>();
  const validatorAt = (at: string) => {
    let validate = compiled.get(at);
    if (!validate) {
      validate = ajv.compile({ $ref: `openapi#${at}` });
      compiled.set(at, validate);
    }
    return validate;
  };

  const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => ({
      key: `${method.toUpperCase()} ${path}`,
      method: method.toUpperCase(),
      path,
      // Literal segments before parameters: /prompts/step/{step} is no /prompts/{prompt_id}.
      params: (path.match(/\{/g) ?? []).length,
      pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, "[^/]+")}$`),
    })),
  );
  operations.sort((a, b) => a.params - b.params);

  const exercised = new Set<string>();
  const problems: string[] = [];
  let validated = 0;

  /** The operation a request hits, by method and URL path (the query is ignored). */
  const operationOf = (method: string, url: string) => {
    const path = new URL(url, "http://x").pathname;
    return operations.find((op) => op.method === method && op.pattern.test(path));
  };

  function check(method: string, url: string, reply: Reply): void {
    const op = operationOf(method, url);
    if (!op) {
      problems.push(`${method} ${url}: no documented operation`);
      return;
    }
    exercised.add(op.key);
    const httpMethod = op.method.toLowerCase();
    const response = doc.paths[op.path]?.[httpMethod]?.responses[String(reply.status)];
    const seen = `${op.key} (${method} ${url}) answered ${reply.status}`;
    if (!response) {
      problems.push(`${seen}: status not documented`);
      return;
    }
    const type = (reply.headers.get("content-type") ?? "").split(";")[0]?.trim() ?? "";
    const media = response.content?.[type];
    if (!media) {
      problems.push(`${seen}: content type ${type || "(none)"} not documented`);
      return;
    }
    if (type !== "application/json" || !media.schema) return;
    const at = pointer("paths", op.path, httpMethod, "responses", String(reply.status));
    const validate = validatorAt(`${at}${pointer("content", type, "schema")}`);
    validated++;
    if (!validate(reply.body)) {
      problems.push(`${seen}: body does not match: ${ajv.errorsText(validate.errors)}`);
    }
  }

  return {
    check,
    problems,
    exercised,
    operations: operations.map((op) => op.key),
    validated: () => validated,
  };
}
