import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_PRINCIPAL, withPrincipal } from "../../core/auth.ts";
import { parseConfig } from "../../core/config.ts";
import { assets, spend } from "../../core/db/schema.ts";
import { useProviders } from "../../core/providers/index.ts";
import { geminiSpeech } from "../../core/providers/speech/gemini.ts";
import { offlineSpeech } from "../../core/providers/speech/offline.ts";
import * as clips from "../../core/speech/clips.ts";
import { trimmed } from "../../core/speech/pcm.ts";
import { defaultVoiceOf } from "../../core/speech/voices.ts";
import { secondsOf } from "../../core/speech/wav.ts";
import { localKeyOf, localPath } from "../../core/storage/local.ts";
import { type TestApi, testApi } from "../../test/support/app.ts";
import { probeAudio, rmsDb } from "../../test/support/audio.ts";
import { startFakeGemini } from "../../test/support/fakes/gemini.ts";
import { fakeForFile } from "../../test/support/fakes/server.ts";
import { projectWithAssets } from "../../test/support/projects.ts";

let api: TestApi;
beforeAll(async () => {
  api = await testApi();
});
afterEach(() => useProviders(undefined));
const fake = fakeForFile(startFakeGemini);

const V1 = "/api/v1";

/** A project with two characters and one shot that says these things. */
async function shot(narration: string | null, lines: [0 | 1, string][]) {
  const { id, assetIds } = await projectWithAssets(api, false);
  const res = await api.call("POST", `${V1}/projects/${id}/storyboards`, {
    frame_prompt: "harbour at night",
    shot_prompt: "slow pan",
    narration,
    dialogue: lines.map(([who, text]) => ({ speaker_asset_id: assetIds[who], text })),
  });
  expect(res.status).toBe(201);
  return { projectId: id, assetIds: assetIds as number[], boardId: res.body.id as number };
}

const narrate = (boardId: number) =>
  api.call("POST", `${V1}/storyboards/${boardId}/generate-narration`);

/** The clips as the local owner reads them (core queries see nothing outside a principal). */
const narrationOf = (id: number) => withPrincipal(LOCAL_PRINCIPAL, () => clips.narrationOf(id));
const projectNarration = (id: number) =>
  withPrincipal(LOCAL_PRINCIPAL, () => clips.projectNarration(id));

const fileOf = (url: string) => localPath(localKeyOf(url) as string);

describe("POST /storyboards/{id}/generate-narration", () => {
  it("speaks narration and dialogue into a narration version whose lines are timed on the measured audio", async () => {
    const lines: [0 | 1, string][] = [
      [0, "Did you see the light?"],
      [1, "Only for a moment, out past the rocks."],
    ];
    const { projectId, assetIds, boardId } = await shot("Night falls on the harbour.", lines);
    const res = await narrate(boardId);
    expect(res.status).toBe(200);
    const { narration_audio_url: url, duration_seconds: seconds } = res.body;
    expect(url).toMatch(/\/narration\/.+\.wav$/);
    // The stored file is real speech, as long as the answer says.
    const file = fileOf(url);
    expect((await probeAudio(file)).duration).toBeCloseTo(seconds, 2);
    // Each line's start/end is what that line measures when spoken alone, in order.
    const texts = ["Night falls on the harbour.", ...lines.map(([, t]) => t)];
    const clip = await narrationOf(boardId);
    expect(clip?.lines.map((l) => l.text)).toEqual(texts);
    expect(clip?.lines.map((l) => l.speaker_asset_id)).toEqual([null, ...assetIds]);
    for (const [i, line] of (clip?.lines ?? []).entries()) {
      const alone = await offlineSpeech().speak({ text: line.text, voice: line.voice });
      expect(line.end - line.start, line.text).toBeCloseTo(secondsOf(trimmed(alone.value)), 2);
      if (i > 0) expect(line.start).toBeGreaterThan(clip?.lines[i - 1]?.end as number);
      expect(await rmsDb(file, line.start, line.end)).toBeGreaterThan(-30);
    }
    expect(clip?.lines.at(-1)?.end).toBeCloseTo(seconds, 2);
    expect(clip).toMatchObject({
      url,
      duration_seconds: seconds,
      provider: "offline",
      stale: false,
    });
    expect((await projectNarration(projectId)).get(boardId)).toEqual(clip);
    // Versioned: a current narration version with its provenance.
    const versions = await api.call("GET", `${V1}/storyboards/${boardId}/versions`);
    const [version] = versions.body.filter((v: { kind: string }) => v.kind === "narration");
    expect(version).toMatchObject({ url, current: true, source: "generated" });
    expect(version.provenance).toMatchObject({
      provider: "offline",
      model: "espeak-ng-1.0.2",
      duration_seconds: seconds,
      timing: "measured",
      voices: {
        narrator: "Kore",
        [assetIds[0] as number]: defaultVoiceOf(assetIds[0] as number),
        [assetIds[1] as number]: defaultVoiceOf(assetIds[1] as number),
      },
      text: texts.join("\n"),
      cost_usd: 0,
    });
    // Costed: one speech row, free offline.
    const rows = await api.database.db.select().from(spend).where(eq(spend.projectId, projectId));
    expect(rows).toMatchObject([{ kind: "speech", provider: "offline", costUsd: 0 }]);
  });

  it("keeps a character's voice in every shot: picked once, stored on the asset; a new voice makes the clip stale", async () => {
    const { projectId, assetIds, boardId } = await shot(null, [[0, "First shot."]]);
    const cat = assetIds[0] as number;
    const second = await api.call("POST", `${V1}/projects/${projectId}/storyboards`, {
      frame_prompt: "f",
      shot_prompt: "s",
      dialogue: [{ speaker_asset_id: cat, text: "Second shot." }],
    });
    expect((await narrate(boardId)).status).toBe(200);
    expect((await narrate(second.body.id)).status).toBe(200);
    const [row] = await api.database.db.select().from(assets).where(eq(assets.id, cat));
    expect(row?.voice).toBe(defaultVoiceOf(cat));
    const clips = await projectNarration(projectId);
    expect([...clips.values()].map((c) => c.lines[0]?.voice)).toEqual([
      defaultVoiceOf(cat),
      defaultVoiceOf(cat),
    ]);
    expect([...clips.values()].every((c) => !c.stale)).toBe(true);
    // The user gives the character another voice: both clips are stale until spoken again.
    const voice = defaultVoiceOf(cat + 1);
    await api.call("PATCH", `${V1}/assets/${cat}`, { voice });
    expect([...(await projectNarration(projectId)).values()].map((c) => c.stale)).toEqual([
      true,
      true,
    ]);
    await narrate(boardId);
    expect(await narrationOf(boardId)).toMatchObject({ stale: false, lines: [{ voice }] });
    // So does a change of the words.
    await api.call("PATCH", `${V1}/storyboards/${boardId}`, {
      dialogue: [{ speaker_asset_id: cat, text: "New words." }],
    });
    expect((await narrationOf(boardId))?.stale).toBe(true);
  });

  it("answers 400 for a shot with nothing to say or an unknown voice, 404 for an unknown shot, and pays nothing", async () => {
    const quiet = await shot("   ", []);
    expect(await narrate(quiet.boardId)).toMatchObject({
      status: 400,
      body: { code: "nothing_to_say" },
    });
    const odd = await shot(null, [[0, "Hello."]]);
    await api.call("PATCH", `${V1}/assets/${odd.assetIds[0]}`, { voice: "Alloy" });
    const refused = await narrate(odd.boardId);
    expect(refused).toMatchObject({ status: 400, body: { code: "unknown_voice" } });
    expect(refused.body.detail).toContain("Kore");
    expect((await narrate(999_999)).status).toBe(404);
    for (const projectId of [quiet.projectId, odd.projectId]) {
      const rows = await api.database.db.select().from(spend).where(eq(spend.projectId, projectId));
      expect(rows).toEqual([]);
    }
  });

  it("live (Gemini TTS against the fake): a two-speaker exchange in one request, lines found between its pauses, priced", async () => {
    useProviders({
      speech: geminiSpeech(
        parseConfig({
          GOOGLE_API_KEY: "test-google-key",
          GEMINI_BASE_URL: fake().url,
          PROVIDER_RETRIES: "0",
        }),
      ),
    });
    const { projectId, assetIds, boardId } = await shot("The storm breaks.", [
      [0, "Hold the rope!"],
      [1, "I have it, pull!"],
      [0, "Now!"],
    ]);
    const res = await narrate(boardId);
    expect(res.status).toBe(200);
    const calls = fake().generateCalls();
    expect(calls).toHaveLength(2);
    const exchange = calls.find(
      (c) => c.json.generationConfig.speechConfig.multiSpeakerVoiceConfig,
    );
    expect(
      exchange?.json.generationConfig.speechConfig.multiSpeakerVoiceConfig.speakerVoiceConfigs.map(
        (c: { voiceConfig: { prebuiltVoiceConfig: { voiceName: string } } }) =>
          c.voiceConfig.prebuiltVoiceConfig.voiceName,
      ),
    ).toEqual(assetIds.map(defaultVoiceOf));
    const clip = await narrationOf(boardId);
    expect(clip?.provider).toBe("gemini");
    expect(clip?.lines.map((l) => l.speaker_asset_id)).toEqual([null, ...assetIds, assetIds[0]]);
    const file = fileOf(clip?.url as string);
    expect(await probeAudio(file)).toMatchObject({ sampleRate: 24_000, channels: 1 });
    for (const line of clip?.lines ?? [])
      expect(await rmsDb(file, line.start, line.end)).toBeGreaterThan(-20);
    const [row] = await api.database.db.select().from(spend).where(eq(spend.projectId, projectId));
    expect(row).toMatchObject({ kind: "speech", provider: "gemini" });
    expect(row?.costUsd).toBeGreaterThan(0);
  });
});
