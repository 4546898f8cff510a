/**
 * Prints: worker busy time per clip at a simulated 60 s Veo render; batch asset images, parallel
 * vs sequential; then the final cut's table (bench/cut.ts: stream copy vs a bare concat, narration
 * vs the soundtrack alone, dissolves' encode speed) and the one-click render's (bench/render.ts),
 * each in its own process. Everything local.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SYSTEM_PRINCIPAL, withPrincipal } from "../core/auth.ts";
import { resetConfig } from "../core/config.ts";
import { assets, projects, storyboards } from "../core/db/schema.ts";
import { runAssetBatch } from "../core/jobs/asset-batch.ts";
import { submitShotVideo } from "../core/jobs/service.ts";
import { getJob } from "../core/jobs/store.ts";
import { TERMINAL } from "../core/jobs/types.ts";
import { processJob } from "../core/jobs/worker.ts";
import { stillToClip } from "../core/media/clip.ts";
import { useProviders } from "../core/providers/index.ts";
import { renderCard } from "../core/providers/offline/card.ts";
import { writeLocalFile } from "../core/storage/local.ts";
import { startEmulators } from "../functions/local/emulators.ts";
import { memoryDatabase } from "../test/support/app.ts";
import { startFakeGemini } from "../test/support/fakes/gemini.ts";

/** The environment before this bench set its keys: the render bench runs offline. */
const startEnv = { ...process.env };

const seconds = (ms: number) => (ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`);

async function main() {
  const work = await mkdtemp(join(tmpdir(), "bench-"));
  process.env.LOG_LEVEL = "silent";
  process.env.DATA_DIR = work;
  const gemini = await startFakeGemini();
  const renderSeconds = 60;
  const pollSeconds = 15;
  Object.assign(process.env, {
    GOOGLE_API_KEY: "test-google-key",
    GEMINI_BASE_URL: gemini.url,
    VIDEO_POLL_SECONDS: String(pollSeconds),
    PROVIDER_RETRIES: "0",
  });
  resetConfig();
  const emulators = await startEmulators();
  const database = await memoryDatabase();
  useProviders(undefined);

  // 1. A 60 s render checked every 15 s: the worker runs only for each short step.
  const clipDir = await mkdtemp(join(work, "clip-"));
  const still = join(clipDir, "s.png");
  await writeFile(
    still,
    renderCard({ width: 1280, height: 720, title: "b", prompt: "", label: "BENCH", seed: "b" }),
  );
  await stillToClip(still, join(clipDir, "veo.mp4"), { width: 1280, height: 720, seconds: 8 });
  gemini.video = await readFile(join(clipDir, "veo.mp4"));
  gemini.veo = { pendingChecks: renderSeconds / pollSeconds, outcome: "video" };
  const [project] = await database.db.insert(projects).values({ name: "bench" }).returning();
  const projectId = project?.id as number;
  const frame = await writeLocalFile("bench/frame.png", await readFile(still));
  const [board] = await database.db
    .insert(storyboards)
    .values({ projectId, position: 0, frameImageUrl: frame })
    .returning();
  const { job } = await submitShotVideo(board?.id as number, "slow push-in");
  let busy = 0;
  let steps = 0;
  for (;;) {
    const current = await getJob(job.job_id);
    if (!current || TERMINAL.has(current.status)) break;
    const started = performance.now();
    await processJob(job.job_id);
    busy += performance.now() - started;
    steps++;
  }
  console.log(`Shot video, simulated ${renderSeconds} s render, checked every ${pollSeconds} s:`);
  console.log(
    `  worker busy ${seconds(busy)} per clip over ${steps} steps (a worker that waits: ${renderSeconds} s)`,
  );

  // 2. Eight asset images from a provider that takes 400 ms per image.
  const generate = (r: { path: string }) => r.path.includes(":generateContent");
  for (const concurrency of [1, 4]) {
    process.env.ASSET_IMAGE_CONCURRENCY = String(concurrency);
    resetConfig();
    useProviders(undefined);
    await database.db
      .insert(assets)
      .values(Array.from({ length: 8 }, (_, i) => ({ projectId, name: `asset ${i}` })));
    gemini.faults.push({ delayMs: 400, match: generate, times: 8 });
    const started = performance.now();
    await runAssetBatch(
      { ...job, type: "generate_asset_images", project_id: projectId },
      async () => {},
    );
    console.log(
      `Batch asset images ×8 at 400 ms each, concurrency ${concurrency}: ${seconds(performance.now() - started)}`,
    );
  }

  await emulators.stop();
  await gemini.stop();
  await database.close();
  await rm(work, { recursive: true, force: true });

  // 3. The final cut, with and without sound (bench/cut.ts, its own process).
  const cut = spawnSync(process.execPath, ["--import", "tsx", "bench/cut.ts"], {
    stdio: "inherit",
    env: startEnv,
  });
  if (cut.status !== 0) throw new Error("the final cut bench failed");

  // 4. The one-click render, in real time (a little over a minute).
  const render = spawnSync(process.execPath, ["--import", "tsx", "bench/render.ts"], {
    stdio: "inherit",
    env: startEnv,
  });
  if (render.status !== 0) throw new Error("the render bench failed");
}

// Scripts act for the system: core queries outside a request match nothing otherwise.
withPrincipal(SYSTEM_PRINCIPAL, main).then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
