/**
 * A small typed client for the Storyboard Studio API: `openapi-fetch` over the generated
 * `schema.ts`, with the API key sent as a bearer token. Paths, bodies and replies are checked
 * by the compiler against the OpenAPI document.
 *
 *   const api = createStudioClient({ baseUrl: "http://127.0.0.1:3000", apiKey });
 *   const { data, error } = await api.POST("/api/v1/projects", { body: { idea } });
 */
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./schema.ts";

export type { components, operations, paths } from "./schema.ts";

export type StudioClient = Client<paths>;
/** Every error body of the API: `{detail, code}`. */
export type ApiError = components["schemas"]["Error"];

export interface StudioClientOptions {
  /** Origin of the API, e.g. `http://127.0.0.1:3000` (paths already start with `/api/v1`). */
  baseUrl: string;
  /** API key; sent as `Authorization: Bearer <key>`. Omit for a keyless local server. */
  apiKey?: string | undefined;
  fetch?: typeof globalThis.fetch;
}

export function createStudioClient({ baseUrl, apiKey, fetch }: StudioClientOptions): StudioClient {
  // openapi-fetch drops a trailing slash of baseUrl and sends `headers` with every request.
  return createClient<paths>({
    baseUrl,
    ...(fetch ? { fetch } : {}),
    ...(apiKey ? { headers: { authorization: `Bearer ${apiKey}` } } : {}),
  });
}
