import { count, eq } from "drizzle-orm";
import { spend, versions } from "../../core/db/schema.ts";
import { getJob, listProjectJobs } from "../../core/jobs/store.ts";
import { type Job, TERMINAL } from "../../core/jobs/types.ts";
import { processJob } from "../../core/jobs/worker.ts";
import type { TestApi } from "./app.ts";
import { type JobBench, jobBench } from "./job-bench.ts";

const SCRIPT_TEMPLATE = "Write a short film from: ${script_or_idea}";

/**
 * The render test bench: local DynamoDB and SQS, the API over an in-memory database, offline
 * providers whose videos are ready at once and short. Registers its own hooks.
 */
export const renderBench = (env: Record<string, string> = {}): JobBench =>
  jobBench(() => ({
    OFFLINE_VIDEO_DELAY_MS: "0",
    VIDEO_SECONDS: "1",
    VIDEO_POLL_SECONDS: "1",
    ...env,
  }));

/** A project with a script and its assets (offline LLM), no storyboards yet; its id. */
export async function scriptedProject(api: TestApi, name = "render"): Promise<number> {
  const id = (await api.call("POST", "/api/v1/projects", { name })).body.id as number;
  const script = await api.call("POST", `/api/v1/projects/${id}/generate-script`, {
    script_or_idea: "A cat gets lost in a forest. An owl helps. They find the way home.",
    prompt_template: SCRIPT_TEMPLATE,
  });
  if (script.status !== 200) throw new Error(JSON.stringify(script.body));
  return id;
}

/**
 * Runs due steps the way the queue would deliver them, without waiting out their delays (the
 * clock is not simulated, delays are skipped): every unfinished job of the project, children
 * first, until the root job ends. `before` runs ahead of each round (tests cancel there).
 */
export async function drive(
  projectId: number,
  rootId: string,
  options: { rounds?: number; before?: (round: number) => Promise<void> } = {},
): Promise<Job> {
  for (let round = 0; round < (options.rounds ?? 100); round++) {
    await options.before?.(round);
    const root = await getJob(rootId);
    if (root && TERMINAL.has(root.status)) return root;
    const open = (await listProjectJobs(projectId, 200)).filter((j) => !TERMINAL.has(j.status));
    const children = open.filter((j) => j.job_id !== rootId);
    await Promise.all(children.map((j) => processJob(j.job_id)));
    await processJob(rootId);
  }
  throw new Error(`job ${rootId} did not finish`);
}

/** Runs every unfinished job of a project until none is left (after a cancel). */
export async function settle(projectId: number): Promise<void> {
  for (let round = 0; round < 50; round++) {
    const open = (await listProjectJobs(projectId, 200)).filter((j) => !TERMINAL.has(j.status));
    if (open.length === 0) return;
    await Promise.all(open.map((j) => processJob(j.job_id)));
  }
  throw new Error(`project ${projectId} still has unfinished jobs`);
}

/** Provider calls on the ledger (offline ones included) and versions made, for a project. */
export async function callsOf(api: TestApi, projectId: number) {
  const d = api.database.db;
  const [calls] = await d.select({ n: count() }).from(spend).where(eq(spend.projectId, projectId));
  const [made] = await d
    .select({ n: count() })
    .from(versions)
    .where(eq(versions.projectId, projectId));
  return { ledger: calls?.n ?? 0, versions: made?.n ?? 0 };
}
