import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assets, storyboards } from "../core/db/schema.ts";
import { apiRoutes } from "../functions/api/manifest.ts";
import { type Emulators, startEmulators } from "../functions/local/emulators.ts";
import { testApi } from "./support/app.ts";

/** Small deterministic PRNG so a failure reproduces exactly. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ODD_IDS = [
  "0",
  "-1",
  "1.5",
  "abc",
  "99999999999999999999",
  "2147483648",
  "1e3",
  "1.0",
  "+1",
  "01",
  "%201",
  "%00",
  "%F0%9F%98%80",
  "x".repeat(300),
  "NaN",
  "null",
];
const ODD_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  Number.MAX_SAFE_INTEGER + 2,
  "",
  " ",
  "😀".repeat(5000),
  "\u0000\u202e\ufeff",
  "x".repeat(120_000),
  [],
  [null],
  Array.from({ length: 500 }, (_, i) => i),
  {},
  { $ne: 1 },
  "https://127.0.0.1/a.png",
  "javascript:alert(1)",
  "${script}",
  "'; drop table projects; --",
];
const RAW_BODIES = [
  "{",
  "[",
  "null",
  "true",
  "1",
  '"text"',
  '{"a":}',
  "\u0000",
  "{}".repeat(10),
  "%7B%7D",
];
const CONTENT_TYPES = [
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/jsonx",
  "",
];

interface Probe {
  method: string;
  path: string;
  body?: string;
  headers: Record<string, string>;
}

function probes(count: number): Probe[] {
  const next = random(20261123);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T;
  const routes = apiRoutes.filter(({ route }) => route.path.startsWith("/api/"));
  const out: Probe[] = [];
  for (let i = 0; i < count; i++) {
    const { route } = routes[i % routes.length] as (typeof routes)[number];
    const path = route.path.replace(/\{[^}]+\}/g, () => (next() < 0.3 ? "1" : pick(ODD_IDS)));
    const query =
      next() < 0.3 ? `?page=${pick(ODD_IDS)}&size=${pick(ODD_IDS)}&extra=${pick(ODD_IDS)}` : "";
    const kind = Math.floor(next() * 4);
    let body: string | undefined;
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (kind === 0) body = pick(RAW_BODIES);
    else if (kind === 1) {
      const keys = [
        "name",
        "step",
        "prompt",
        "image_url",
        "script",
        "script_or_idea",
        "prompt_template",
        "asset_urls",
        "frame_prompt",
        "frame_asset_ids",
        "guide_image_url",
        "shot_prompt",
        "__proto__",
        "constructor",
      ];
      body = JSON.stringify(
        Object.fromEntries(keys.filter(() => next() < 0.5).map((k) => [k, pick(ODD_VALUES)])),
      );
    } else if (kind === 2) {
      body = JSON.stringify(pick(ODD_VALUES));
      headers["content-type"] = pick(CONTENT_TYPES);
    } else {
      headers.prefer = `wait=${pick(ODD_IDS)}`;
      headers["idempotency-key"] = pick(["", "k".repeat(500), "\u00e9t\u00e9", "a"]);
    }
    out.push({
      method: route.method.toUpperCase(),
      path: `${path}${query}`,
      body: route.method === "get" ? undefined : body,
      headers,
    });
  }
  return out;
}

let api: Awaited<ReturnType<typeof testApi>>;
let emulators: Emulators;
beforeAll(async () => {
  emulators = await startEmulators();
  api = await testApi();
  const project = (await api.call("POST", "/api/v1/projects", { name: "target" })).body;
  await api.database.db
    .insert(assets)
    .values({ projectId: project.id, name: "a", originalUrl: "https://cdn.example.com/a.png" });
  await api.database.db.insert(storyboards).values({ projectId: project.id, position: 0 });
});
afterAll(() => emulators?.stop());

describe("hostile input", () => {
  it("answers 300 generated malformed requests across every route with a 4xx and a JSON error body", async () => {
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (const probe of probes(300)) {
      const res = await api.app.request(probe.path, {
        method: probe.method,
        headers: probe.headers,
        body: probe.body,
      });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const text = await res.text();
      const describeProbe = `${probe.method} ${probe.path.slice(0, 80)} ${String(probe.body).slice(0, 60)} → ${res.status} ${text.slice(0, 120)}`;
      if (res.status >= 500) failures.push(describeProbe);
      if (res.status >= 400) {
        let body: { detail?: unknown; code?: unknown } = {};
        try {
          body = JSON.parse(text);
        } catch {
          failures.push(`not JSON: ${describeProbe}`);
        }
        if (typeof body.detail !== "string" || typeof body.code !== "string")
          failures.push(`no detail/code: ${describeProbe}`);
      }
    }
    expect(failures).toEqual([]);
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
  }, 120_000);
});
