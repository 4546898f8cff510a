/**
 * idea → script → asset images → storyboards → frames → shot videos → final cut, through the
 * HTTP API only, with the typed client (client/). Uses DEMO_URL if given (DEMO_API_KEY for a
 * server that requires keys), else the local server running on DATA_DIR (`npm start`), else
 * starts the local stack on a free port.
 */
import { resolve } from "node:path";
import { type ApiError, type components, createStudioClient } from "../client/index.ts";
import { config } from "../core/config.ts";
import { runningLocalServer } from "../core/db/local.ts";
import { localKeyOf, localPath } from "../core/storage/local.ts";
import { startLocalServer } from "../functions/local/server.ts";

const IDEA =
  process.argv.slice(2).join(" ") ||
  "An old lighthouse keeper finds a paper boat on the shore. He follows the river it came from. At the source, a child is folding the next one.";

type Job = components["schemas"]["Job"];
/** What a finished compose-video job reports (the Job schema leaves `result` open). */
interface FinalCut {
  video_url: string;
  method: string;
  duration: number;
  clips: unknown[];
}

/** The reply's data, or the API's `{detail, code}` as an error naming the request. */
async function ok<T>(
  what: string,
  request: Promise<{ data?: T; error?: ApiError; response: Response }>,
): Promise<T> {
  const { data, error, response } = await request;
  if (!response.ok) throw new Error(`${what} → ${response.status}: ${error?.detail}`);
  return data as T;
}

/** A job-starting request answers 202 with the job (200 only when asked to wait with Prefer). */
async function started(
  what: string,
  request: Promise<{ data?: unknown; error?: ApiError; response: Response }>,
): Promise<Job> {
  const job = await ok(what, request);
  if (typeof job !== "object" || job === null || !("job_id" in job))
    throw new Error(`${what} did not start a job`);
  return job as Job;
}

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
  const api = createStudioClient({
    baseUrl: (target ?? server?.url) as string,
    apiKey: process.env.DEMO_API_KEY,
  });
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
  const waitJobs = async (ids: string[], label: string) => {
    for (;;) {
      const jobs = await Promise.all(
        ids.map((job_id) =>
          ok(
            `GET /jobs/${job_id}`,
            api.GET("/api/v1/jobs/{job_id}", { params: { path: { job_id } } }),
          ),
        ),
      );
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
      ok("POST /projects", api.POST("/api/v1/projects", { body: { name: "Demo film" } })),
    );
    const inProject = { params: { path: { project_id: project.id } } };
    const script = await phase("script and assets (LLM)", () =>
      ok(
        `POST /projects/${project.id}/generate-script`,
        api.POST("/api/v1/projects/{project_id}/generate-script", {
          ...inProject,
          body: {
            script_or_idea: IDEA,
            prompt_template: "Write a 60 second film script and its assets from: ${script_or_idea}",
          },
        }),
      ),
    );
    await phase(`asset images ×${script.assets.length} (batch job)`, async () => {
      const job = await started(
        `POST /projects/${project.id}/generate-asset-images`,
        api.POST("/api/v1/projects/{project_id}/generate-asset-images", inProject),
      );
      await waitJobs([job.job_id], "asset images");
    });
    const boards = await phase("storyboards (LLM)", () =>
      ok(
        `POST /projects/${project.id}/generate-storyboards`,
        api.POST("/api/v1/projects/{project_id}/generate-storyboards", {
          ...inProject,
          body: {
            script: script.full_script,
            prompt_template: "Materials:\n${materials_description}\nScript:\n${script}",
          },
        }),
      ),
    );
    await phase(`first frames ×${boards.length}`, () =>
      Promise.all(
        boards.map((b) =>
          ok(
            `POST /storyboards/${b.id}/generate-frame`,
            api.POST("/api/v1/storyboards/{storyboard_id}/generate-frame", {
              params: { path: { storyboard_id: b.id } },
              body: { frame_prompt: b.frame_prompt, frame_asset_ids: b.frame_asset_ids },
            }),
          ),
        ),
      ),
    );
    await phase(`shot videos ×${boards.length} (jobs)`, async () => {
      const jobs = await Promise.all(
        boards.map((b) =>
          started(
            `POST /storyboards/${b.id}/generate-video`,
            api.POST("/api/v1/storyboards/{storyboard_id}/generate-video", {
              params: { path: { storyboard_id: b.id } },
              body: { shot_prompt: b.shot_prompt },
            }),
          ),
        ),
      );
      await waitJobs(
        jobs.map((j) => j.job_id),
        "shot videos",
      );
    });
    const final = await phase("final cut (job)", async () => {
      const job = await started(
        `POST /projects/${project.id}/compose-video`,
        api.POST("/api/v1/projects/{project_id}/compose-video", inProject),
      );
      const [done] = await waitJobs([job.job_id], "final cut");
      return done?.result as unknown as FinalCut;
    });
    const url = final.video_url;
    const key = localKeyOf(url);
    console.log(`\nFinal video: ${url}`);
    if (key) console.log(`File:        ${resolve(localPath(key))}`);
    console.log(
      `Cut:         ${final.method}, ${Number(final.duration).toFixed(1)} s, ${final.clips.length} clips`,
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
