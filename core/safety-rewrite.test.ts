import { and, desc, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { geminiReplies } from "../test/support/fakes/gemini.ts";
import {
  runToEnd,
  storyboardWithFrame,
  submitVideo,
  videoJobBench,
} from "../test/support/video-jobs.ts";
import { SYSTEM_PRINCIPAL, withPrincipal } from "./auth.ts";
import { prompts, spend, storyboards, versions } from "./db/schema.ts";
import { generateFrame } from "./frames.ts";
import { getJob, updateJob } from "./jobs/store.ts";
import { upsertPrompt } from "./prompts.ts";
import { ProviderError } from "./providers/errors.ts";
import {
  drawWithSafetyRewrite,
  rewriteForSafety,
  SAFETY_REWRITE_STEP,
  SAFETY_REWRITE_TEMPLATE,
} from "./safety-rewrite.ts";

// Gemini (images and Veo) is the fake; the LLM is the offline one: deterministic and labelled.
const bench = videoJobBench();
const LABEL = "[Offline safety rewrite]";
const asSystem = <T>(fn: () => Promise<T>) => withPrincipal(SYSTEM_PRINCIPAL, fn);

const boardRow = async (id: number) =>
  (await bench.api.database.db.select().from(storyboards).where(eq(storyboards.id, id)))[0];
const latestVersion = async (id: number, kind: string) =>
  (
    await bench.api.database.db
      .select()
      .from(versions)
      .where(and(eq(versions.storyboardId, id), eq(versions.kind, kind)))
      .orderBy(desc(versions.id))
  )[0];
/** The text of each image request the fake received. */
const imagePrompts = () =>
  bench.gemini
    .generateCalls()
    .map((r) => (r.json.contents[0].parts as { text?: string }[]).find((p) => p.text)?.text);

describe("safety rewrite", () => {
  beforeEach(() => {
    bench.gemini.next.length = 0;
    bench.gemini.veoQueue.length = 0;
  });

  it("rewrites with the versioned template (version 1 on first use, an admin's edit after)", async () => {
    const boardId = await storyboardWithFrame(bench.api);
    const first = await asSystem(() =>
      rewriteForSafety({
        storyboardId: boardId,
        kind: "video",
        prompt: "a duel to the death",
        reasons: ["Violence"],
      }),
    );
    expect(first).toMatchObject({
      kind: "video",
      original: "a duel to the death",
      reasons: ["Violence"],
      template: { step: SAFETY_REWRITE_STEP, name: "default", version: 1 },
      provider: "offline",
    });
    expect(first.prompt.startsWith(LABEL)).toBe(true);
    expect(first.prompt).toContain("a duel to the death");
    const [row] = await bench.api.database.db
      .select()
      .from(prompts)
      .where(eq(prompts.step, SAFETY_REWRITE_STEP));
    expect(row).toMatchObject({ version: 1, prompt: SAFETY_REWRITE_TEMPLATE });
    await upsertPrompt({
      step: SAFETY_REWRITE_STEP,
      name: "default",
      prompt: "Soften this ${kind} prompt (${reasons}): ${prompt}",
    });
    const second = await asSystem(() =>
      rewriteForSafety({ storyboardId: boardId, kind: "frame", prompt: "p", reasons: [] }),
    );
    expect(second.template.version).toBe(2);
  });

  it("draws a refused frame again once with the rewritten prompt; the shot keeps the user's prompt", async () => {
    const boardId = await storyboardWithFrame(bench.api);
    bench.gemini.next.push(geminiReplies.blockedPrompt("PROHIBITED_CONTENT"));
    const state = await asSystem(() =>
      generateFrame(boardId, "a knight falls in battle", [], {
        safetyRewrite: drawWithSafetyRewrite,
      }),
    );
    const sent = imagePrompts();
    expect(sent).toHaveLength(2);
    expect(sent[0]).toContain("a knight falls in battle");
    expect(sent[0]).not.toContain(LABEL);
    expect(sent[1]).toContain(LABEL);
    expect(state.framePrompt).toBe("a knight falls in battle");
    expect(state.frameStale).toBe(false);
    const version = await latestVersion(boardId, "frame");
    expect(version?.url).toBe(state.frameImageUrl);
    const provenance = version?.provenance as {
      prompt: string;
      safety_rewrite: { prompt: string };
    };
    expect(provenance.prompt).toContain(LABEL);
    expect(provenance.safety_rewrite).toMatchObject({
      kind: "frame",
      original: "a knight falls in battle",
      reasons: ["PROHIBITED_CONTENT"],
      template: { step: SAFETY_REWRITE_STEP },
    });
    expect(provenance.safety_rewrite.prompt).toBe(
      provenance.prompt.slice(-provenance.safety_rewrite.prompt.length),
    );
  });

  it("fails the frame with the provider's reasons when the rewrite is refused too; nothing is recorded", async () => {
    const boardId = await storyboardWithFrame(bench.api);
    const before = await boardRow(boardId);
    bench.gemini.next.push(
      geminiReplies.blockedPrompt("PROHIBITED_CONTENT"),
      geminiReplies.blockedPrompt("SAFETY"),
    );
    const error = await asSystem(() =>
      generateFrame(boardId, "a knight falls in battle", [], {
        safetyRewrite: drawWithSafetyRewrite,
      }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      failure: "blocked",
      code: "provider_blocked",
      reasons: ["SAFETY"],
    });
    expect((error as Error).message).toContain("refused again after one safety rewrite");
    expect(imagePrompts()).toHaveLength(2);
    expect((await boardRow(boardId))?.frameImageUrl).toBe(before?.frameImageUrl);
    expect(await latestVersion(boardId, "frame")).toBeUndefined();
  });

  it("leaves a refusal alone outside the render: one call, no rewrite", async () => {
    const boardId = await storyboardWithFrame(bench.api);
    bench.gemini.next.push(geminiReplies.blockedPrompt("PROHIBITED_CONTENT"));
    await expect(
      asSystem(() => generateFrame(boardId, "a knight falls in battle", [])),
    ).rejects.toMatchObject({ code: "provider_blocked", reasons: ["PROHIBITED_CONTENT"] });
    expect(imagePrompts()).toHaveLength(1);
  });

  /** A shot video as the render submits it: `safety_rewrite` in its input. */
  async function renderVideo(rewrite = true) {
    const boardId = await storyboardWithFrame(bench.api);
    const jobId = await submitVideo(bench.api, boardId, {}, "two knights duel to the death");
    const job = await getJob(jobId);
    if (rewrite) {
      await updateJob(jobId, {
        from: ["queued"],
        set: { input: { ...job?.input, safety_rewrite: true } },
      });
    }
    return { boardId, jobId };
  }

  it("starts a filtered shot video once more with the rewritten prompt, and records both prompts", async () => {
    bench.gemini.veoQueue.push({ pendingChecks: 0, outcome: "filtered" });
    const starts = bench.gemini.acceptedVideoStarts();
    const { boardId, jobId } = await renderVideo();
    const job = await runToEnd(jobId);
    expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
    expect(bench.gemini.acceptedVideoStarts() - starts).toBe(2);
    const [refused, retried] = bench.gemini.videoStartRequests().slice(-2);
    const original = refused?.json.instances[0].prompt as string;
    expect(original).toContain("two knights duel to the death");
    expect(retried?.json.instances[0].prompt).toBe(job.safety_rewrite?.prompt);
    expect(job.safety_rewrite).toMatchObject({
      kind: "video",
      original,
      reasons: ["Celebrity likeness"],
      template: { step: SAFETY_REWRITE_STEP },
    });
    expect(job.safety_rewrite?.prompt.startsWith(LABEL)).toBe(true);
    expect(job.safety_rewrite?.refused_operation).toMatch(/operations\/op\d+$/);
    const version = await latestVersion(boardId, "video");
    expect(version?.provenance).toMatchObject({
      prompt: job.safety_rewrite?.prompt,
      safety_rewrite: { original, prompt: job.safety_rewrite?.prompt },
    });
    // The shot keeps the user's prompt: the video is not stale for having been rewritten.
    expect((await boardRow(boardId))?.shotPrompt).toBe("two knights duel to the death");
    expect(version?.inputs).toMatchObject({ shot_prompt: "two knights duel to the death" });
    // Two paid generations, two ledger rows; the retry's is settled with the video.
    const rows = await bench.api.database.db.select().from(spend).where(eq(spend.jobId, jobId));
    expect(rows.map((r) => [r.step, r.settled]).sort()).toEqual([
      ["video", false],
      ["video_safety_retry", true],
    ]);
  });

  it("fails the shot video with the provider's reasons when the rewrite is filtered too", async () => {
    bench.gemini.veoQueue.push(
      { pendingChecks: 0, outcome: "filtered" },
      { pendingChecks: 0, outcome: "filtered" },
    );
    const starts = bench.gemini.acceptedVideoStarts();
    const { jobId } = await renderVideo();
    const job = await runToEnd(jobId);
    expect(job).toMatchObject({
      status: "failed",
      error: { code: "rai_filtered", reasons: ["Celebrity likeness"] },
    });
    expect(job.error?.message).toContain("refused again after one safety rewrite");
    expect(bench.gemini.acceptedVideoStarts() - starts).toBe(2);
  });

  it("fails a filtered shot video at once outside the render", async () => {
    bench.gemini.veoQueue.push({ pendingChecks: 0, outcome: "filtered" });
    const starts = bench.gemini.acceptedVideoStarts();
    const { jobId } = await renderVideo(false);
    const job = await runToEnd(jobId);
    expect(job).toMatchObject({ status: "failed", error: { code: "rai_filtered" } });
    expect(job.safety_rewrite).toBeUndefined();
    expect(bench.gemini.acceptedVideoStarts() - starts).toBe(1);
  });
});
