import { randomUUID } from "node:crypto";
import { and, eq, inArray, isNull } from "drizzle-orm";
import { db } from "../db/client.ts";
import { type Asset, assets } from "../db/schema.ts";
import { badRequest } from "../errors.ts";
import { projectSettings } from "../project-settings.ts";
import { speechProvider } from "../providers/speech/index.ts";
import { costOf, recordSpend } from "../spend.ts";
import { narrationInputsOf, spokenTextOf } from "../staleness.ts";
import { storageProvider } from "../storage/index.ts";
import { requireLiveStoryboard } from "../storyboards.ts";
import { recordVersion } from "../versions.ts";
import { type ScriptLine, synthesise } from "./synthesize.ts";
import type { NarrationProvenance, SpokenLine } from "./types.ts";
import { checkedVoice, defaultVoiceOf } from "./voices.ts";
import { secondsOf, wavOf } from "./wav.ts";

export interface NarrationResult {
  narration_audio_url: string;
  duration_seconds: number;
  lines: SpokenLine[];
}

export interface NarrationOptions {
  /** The render's job, kept in provenance. */
  jobId?: string;
  /** Asked right before the clip is recorded: false keeps it in the history without making it
   * current (a render canceled meanwhile). */
  current?: () => Promise<boolean>;
  /** Called right before the paid speech requests (a job checks it still holds its step). */
  beforePaid?: () => Promise<void>;
}

/**
 * Characters without a voice get the one their id picks, written once (only where it is still
 * empty, so two shots speaking at once agree), so a character sounds the same in every shot.
 */
async function voicedSpeakers(projectId: number, ids: number[]): Promise<Asset[]> {
  if (ids.length === 0) return [];
  const d = await db();
  const where = and(inArray(assets.id, ids), eq(assets.projectId, projectId));
  const rows = await d.select().from(assets).where(where);
  const missing = ids.filter((id) => !rows.some((a) => a.id === id));
  if (missing.length)
    throw badRequest(
      "speaker_not_in_project",
      `Speakers ${missing.join(", ")} are not assets of project ${projectId}`,
    );
  const silent = rows.filter((a) => !a.voice?.trim());
  if (silent.length === 0) return rows;
  await Promise.all(
    silent.map((a) =>
      d
        .update(assets)
        .set({ voice: defaultVoiceOf(a.id) })
        .where(and(eq(assets.id, a.id), isNull(assets.voice))),
    ),
  );
  return d.select().from(assets).where(where);
}

/** The name a two-speaker request gives a character: its asset name as one word. */
function labelsOf(speakers: Asset[]): Map<number, string> {
  const labels = new Map<number, string>();
  for (const a of speakers) {
    let label = a.name.replace(/[^\p{L}\p{N}]+/gu, "").slice(0, 30) || `Speaker${a.id}`;
    if ([...labels.values()].includes(label)) label = `${label}${a.id}`;
    labels.set(a.id, label);
  }
  return labels;
}

/**
 * A shot's narration clip: its narration (narrator: the project's voice) and dialogue (each
 * character with its asset's voice) spoken, joined into one WAV with every line timed on the
 * real audio, stored, recorded as a `narration` version (current unless `current` says no) and
 * priced. A shot with nothing to say is a 400 `nothing_to_say`; an unknown voice a 400.
 */
export async function generateNarration(
  storyboardId: number,
  options: NarrationOptions = {},
): Promise<NarrationResult> {
  const board = await requireLiveStoryboard(storyboardId);
  const { narration, dialogue } = spokenTextOf(board);
  if (!narration && dialogue.length === 0)
    throw badRequest(
      "nothing_to_say",
      `Storyboard ${storyboardId} has neither narration nor dialogue to speak`,
    );
  const settings = await projectSettings(board.projectId);
  const narrator = checkedVoice(settings.voice, "the project's settings.voice");
  const speakers = await voicedSpeakers(board.projectId, [
    ...new Set(dialogue.map((l) => l.speaker_asset_id)),
  ]);
  const labels = labelsOf(speakers);
  const voiceOf = (id: number) => {
    const asset = speakers.find((a) => a.id === id) as Asset;
    return checkedVoice(asset.voice as string, `asset ${id}'s voice`);
  };
  const script: ScriptLine[] = [
    ...(narration
      ? [{ speaker_asset_id: null, voice: narrator, text: narration, label: "Narrator" }]
      : []),
    ...dialogue.map((l) => ({
      speaker_asset_id: l.speaker_asset_id,
      voice: voiceOf(l.speaker_asset_id),
      text: l.text,
      label: labels.get(l.speaker_asset_id) as string,
    })),
  ];
  await options.beforePaid?.();
  const provider = await speechProvider();
  const speech = await synthesise(provider, script);
  const seconds = Math.round(secondsOf(speech.audio) * 1000) / 1000;
  const characters = script.reduce((n, l) => n + [...l.text].length, 0);
  const generated = { provider: speech.provider, model: speech.model, usage: speech.usage };
  const units = { characters, seconds };
  await recordSpend(board.projectId, "speech", generated, units);
  const storage = await storageProvider();
  const url = await storage.put(
    `projects/${board.projectId}/narration/${randomUUID()}.wav`,
    wavOf(speech.audio),
    "audio/wav",
  );
  const voices: Record<string, string> = Object.fromEntries(
    script.map((l) => [
      l.speaker_asset_id === null ? "narrator" : String(l.speaker_asset_id),
      l.voice,
    ]),
  );
  const provenance: NarrationProvenance & Record<string, unknown> = {
    provider: speech.provider,
    model: speech.model,
    prompt: speech.requests.map((r) => r.text).join("\n"),
    template: null,
    requests: speech.requests,
    text: script.map((l) => l.text).join("\n"),
    voices,
    lines: speech.lines,
    duration_seconds: seconds,
    sample_rate: speech.audio.sampleRate,
    timing: speech.timing,
    cost_usd: costOf("speech", speech.provider, { ...speech.usage, ...units }),
    ...(options.jobId ? { job_id: options.jobId } : {}),
  };
  const current = options.current ? await options.current() : true;
  await recordVersion(
    {
      projectId: board.projectId,
      storyboardId: board.id,
      kind: "narration",
      url,
      source: "generated",
      provenance,
      inputs: narrationInputsOf(board, speakers, narrator),
    },
    {},
    { keepPointer: !current },
  );
  return {
    narration_audio_url: url,
    duration_seconds: seconds,
    lines: speech.lines,
  };
}
