/**
 * idea → script → asset images → storyboards → frames → shot videos → final cut, through the
 * HTTP API only. Uses DEMO_URL if given, else the local server running on DATA_DIR (`npm start`),
 * else starts the local stack on a free port.
 */
import { resolve } from "node:path";
import { config } from "../core/config.ts";
import { runningLocalServer } from "../core/db/local.ts";
import { localKeyOf, localPath } from "../core/storage/local.ts";
import { startLocalServer } from "../functions/local/server.ts";

const IDEA =
  process.argv.slice(2).join(" ") ||
  "An old lighthouse keeper finds a paper boat on the shore. He follows the river it came from. At the source, a child is folding the next one.";

// biome-ignore lint/suspicious/noExplicitAny: the demo reads the API's JSON loosely
type Json = { [key: string]: any };

const localDataDir = () => `${config().DATA_DIR}/pglite`;

async function main() {
  process.env.LOG_LEVEL ??= "warn";
  process.env.OFFLINE_VIDEO_DELAY_MS ??= "2000";
  process.env.VIDEO_POLL_SECONDS ??= "1";
  // A local server already running on this DATA_DIR owns its database: use it, not a second stack.
  const running = process.env.DEMO_URL ? undefined : await runningLocalServer(localDataDir());
  if (running?.api) console.log(`Using the local server already running at ${running.api}`);
  const target = process.env.DEMO_URL ?? running?.api;
  const server = target ? undefined : await startLocalServer(0);
  const base = `${target ?? server?.url}/api/v1`;
  const times: [string, number][] = [];
  const phase = async <T>(name: string, fn: () => Promise<T>) => {
    const started = performance.now();
    process.stdout.write(`▸ ${name} …`);
    const value = await fn();
    const seconds = (performance.now() - started) / 1000;
    times.push([name, seconds]);
    process.stdout.write(`\r✓ ${name} (${seconds.toFixed(1)} s)\n`);
    return value;
  };
  const call = async (method: string, path: string, body?: unknown): Promise<Json> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: body ? { "content-type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = (await res.json()) as Json;
    if (res.status >= 400) throw new Error(`${method} ${path} → ${res.status}: ${json.detail}`);
    return json;
  };
  const waitJobs = async (ids: string[], label: string) => {
    for (;;) {
      const jobs = await Promise.all(ids.map((id) => call("GET", `/jobs/${id}`)));
      const done = jobs.filter((j) => ["succeeded", "failed", "canceled"].includes(j.status));
      const progress = Math.round(jobs.reduce((s, j) => s + j.progress, 0) / jobs.length);
      process.stdout.write(`\r▸ ${label} … ${done.length}/${jobs.length} done, ${progress}%   `);
      const failed = jobs.find((j) => j.status === "failed");
      if (failed) throw new Error(`job ${failed.job_id} failed: ${failed.error?.message}`);
      if (done.length === jobs.length) return jobs;
      await new Promise((r) => setTimeout(r, 500));
    }
  };

  try {
    const project = await phase("create project", () =>
      call("POST", "/projects", { name: "Demo film" }),
    );
    const script = await phase("script and assets (LLM)", () =>
      call("POST", `/projects/${project.id}/generate-script`, {
        script_or_idea: IDEA,
        prompt_template: "Write a 60 second film script and its assets from: ${script_or_idea}",
      }),
    );
    await phase(`asset images ×${script.assets.length} (batch job)`, async () => {
      const job = await call("POST", `/projects/${project.id}/generate-asset-images`);
      await waitJobs([job.job_id], "asset images");
    });
    const boards = (await phase("storyboards (LLM)", () =>
      call("POST", `/projects/${project.id}/generate-storyboards`, {
        script: script.full_script,
        prompt_template: "Materials:\n${materials_description}\nScript:\n${script}",
      }),
    )) as unknown as Json[];
    await phase(`first frames ×${boards.length}`, () =>
      Promise.all(
        boards.map((b) =>
          call("POST", `/storyboards/${b.id}/generate-frame`, {
            frame_prompt: b.frame_prompt,
            frame_asset_ids: b.frame_asset_ids,
          }),
        ),
      ),
    );
    await phase(`shot videos ×${boards.length} (jobs)`, async () => {
      const jobs = await Promise.all(
        boards.map((b) =>
          call("POST", `/storyboards/${b.id}/generate-video`, { shot_prompt: b.shot_prompt }),
        ),
      );
      await waitJobs(
        jobs.map((j) => j.job_id),
        "shot videos",
      );
    });
    const final = await phase("final cut (job)", async () => {
      const job = await call("POST", `/projects/${project.id}/compose-video`);
      const [done] = await waitJobs([job.job_id], "final cut");
      return done as Json;
    });
    const url = final.result.video_url as string;
    const key = localKeyOf(url);
    console.log(`\nFinal video: ${url}`);
    if (key) console.log(`File:        ${resolve(localPath(key))}`);
    console.log(
      `Cut:         ${final.result.method}, ${Number(final.result.duration).toFixed(1)} s, ${final.result.clips.length} clips`,
    );
    console.log("\nTime per phase:");
    for (const [name, seconds] of times)
      console.log(`  ${name.padEnd(36)} ${seconds.toFixed(1).padStart(6)} s`);
    console.log(
      `  ${"total".padEnd(36)} ${times
        .reduce((s, [, t]) => s + t, 0)
        .toFixed(1)
        .padStart(6)} s`,
    );
  } finally {
    await server?.close();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`\ndemo failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
