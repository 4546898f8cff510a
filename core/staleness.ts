import type { Asset, Project, Storyboard, Version } from "./db/schema.ts";
import { voiceOfAsset } from "./speech/voices.ts";

/**
 * Staleness from the version graph: each version records what it was made from (`inputs`), and
 * is stale when that differs from the present — never from timestamps guessed at read time.
 */

/** What a first frame is made from. */
export interface FrameInputs {
  frame_prompt: string;
  asset_ids: number[];
  /** The image version of each referenced asset at the time (null: it had none). */
  asset_image_versions: Record<string, number | null>;
}

/** What a shot video is made from. */
export interface VideoInputs {
  frame_version_id: number | null;
  shot_prompt: string;
}

/** What a final cut is made from: the shots in order and everything that is heard or shown. */
export interface FinalCutInputs {
  shots: { storyboard_id: number; video_version_id: number | null; transition: string }[];
  /** `narration_version_id`: the clip heard, with narration on and a clip made. */
  narration: {
    storyboard_id: number;
    narration: string | null;
    dialogue: unknown;
    narration_version_id?: number;
  }[];
  sound: Record<string, unknown>;
}

/** The project settings that change the final cut's sound or finish. */
const SOUND_SETTINGS = [
  "narration",
  "subtitles",
  "voice",
  "music_url",
  "transition",
  "loudness_lufs",
] as const;

const sameIds = (a: number[], b: number[]) =>
  a.length === b.length && [...a].sort().every((id, i) => id === [...b].sort()[i]);

export function frameInputsOf(
  board: Pick<Storyboard, "framePrompt" | "frameAssetIds">,
  assets: Pick<Asset, "id" | "imageVersionId">[],
): FrameInputs {
  const current = new Map(assets.map((a) => [a.id, a.imageVersionId ?? null]));
  return {
    frame_prompt: board.framePrompt,
    asset_ids: [...board.frameAssetIds],
    asset_image_versions: Object.fromEntries(
      board.frameAssetIds.map((id) => [String(id), current.get(id) ?? null]),
    ),
  };
}

/** A frame is stale when its prompt, its asset ids or one of those assets' images changed. */
export function isFrameStale(
  board: Pick<Storyboard, "framePrompt" | "frameAssetIds">,
  frame: Pick<Version, "inputs"> | null | undefined,
  assets: Pick<Asset, "id" | "imageVersionId">[],
): boolean {
  if (!frame) return false;
  const made = frame.inputs as Partial<FrameInputs>;
  const now = frameInputsOf(board, assets);
  if ((made.frame_prompt ?? "") !== now.frame_prompt) return true;
  if (!sameIds(made.asset_ids ?? [], now.asset_ids)) return true;
  return now.asset_ids.some(
    (id) =>
      (made.asset_image_versions?.[String(id)] ?? null) !== now.asset_image_versions[String(id)],
  );
}

export const videoInputsOf = (
  board: Pick<Storyboard, "frameVersionId" | "shotPrompt">,
): VideoInputs => ({
  frame_version_id: board.frameVersionId ?? null,
  shot_prompt: board.shotPrompt,
});

/** A shot video is stale when its first frame or its shot prompt changed. */
export function isVideoStale(
  board: Pick<Storyboard, "frameVersionId" | "shotPrompt">,
  video: Pick<Version, "inputs"> | null | undefined,
): boolean {
  if (!video) return false;
  const made = video.inputs as Partial<VideoInputs>;
  const now = videoInputsOf(board);
  return (
    (made.frame_version_id ?? null) !== now.frame_version_id || made.shot_prompt !== now.shot_prompt
  );
}

/** What a narration clip is made from: the words and who says them with which voice. */
export interface NarrationInputs {
  narration: string | null;
  dialogue: { speaker_asset_id: number; text: string }[];
  /** `narrator` (when there is narration) and each speaking asset's id → its voice. */
  voices: Record<string, string>;
}

type SpeechBoard = Pick<Storyboard, "narration" | "dialogue">;
type Voiced = Pick<Asset, "id" | "voice">;

/** The words a shot speaks: its narration (trimmed; empty is none) and non-empty dialogue. */
export function spokenTextOf(board: SpeechBoard) {
  const narration = board.narration?.trim() || null;
  const dialogue = ((board.dialogue ?? []) as { speaker_asset_id: number; text: string }[])
    .map((l) => ({ speaker_asset_id: l.speaker_asset_id, text: l.text.trim() }))
    .filter((l) => l.text);
  return { narration, dialogue };
}

/** The narration inputs of today: `narratorVoice` is the project's `settings.voice`. */
export function narrationInputsOf(
  board: SpeechBoard,
  assets: Voiced[],
  narratorVoice: string,
): NarrationInputs {
  const { narration, dialogue } = spokenTextOf(board);
  const voices: Record<string, string> = narration ? { narrator: narratorVoice } : {};
  for (const line of dialogue) {
    const asset = assets.find((a) => a.id === line.speaker_asset_id);
    voices[String(line.speaker_asset_id)] = asset
      ? voiceOfAsset(asset)
      : voiceOfAsset({ id: line.speaker_asset_id, voice: null });
  }
  return { narration, dialogue, voices };
}

/**
 * A narration clip is stale when the shot's narration text or dialogue changed, or a speaker's
 * voice (the narrator's is the project's `voice`) is not the one it was spoken with. Voice names
 * compare without case ("kore" is Kore).
 */
export function isNarrationStale(
  board: SpeechBoard,
  clip: Pick<Version, "inputs"> | null | undefined,
  assets: Voiced[],
  narratorVoice: string,
): boolean {
  if (!clip) return false;
  const made = clip.inputs as Partial<NarrationInputs>;
  const now = narrationInputsOf(board, assets, narratorVoice);
  const lower = (voices: Record<string, string> | undefined) =>
    Object.fromEntries(Object.entries(voices ?? {}).map(([k, v]) => [k, v.toLowerCase()]));
  return (
    (made.narration ?? null) !== now.narration ||
    canonical(made.dialogue ?? []) !== canonical(now.dialogue) ||
    canonical(lower(made.voices)) !== canonical(lower(now.voices))
  );
}

type CutBoard = Pick<
  Storyboard,
  "id" | "position" | "videoVersionId" | "transition" | "narration" | "dialogue"
> &
  Partial<Pick<Storyboard, "narrationVersionId">>;

export function finalCutInputsOf(
  project: Pick<Project, "settings">,
  boards: CutBoard[],
): FinalCutInputs {
  const ordered = [...boards].sort((a, b) => a.position - b.position || a.id - b.id);
  const settings = (project.settings ?? {}) as Record<string, unknown>;
  return {
    shots: ordered
      .filter((b) => b.videoVersionId)
      .map((b) => ({
        storyboard_id: b.id,
        video_version_id: b.videoVersionId ?? null,
        transition: b.transition,
      })),
    narration: ordered.map((b) => ({
      storyboard_id: b.id,
      narration: b.narration ?? null,
      dialogue: b.dialogue ?? [],
      // Only when it is heard, and only when there is one: cuts made before clips existed, or
      // without narration, keep their fingerprint.
      ...(settings.narration === true && b.narrationVersionId
        ? { narration_version_id: b.narrationVersionId }
        : {}),
    })),
    sound: Object.fromEntries(SOUND_SETTINGS.map((k) => [k, settings[k] ?? null])),
  };
}

/** The final cut is stale when any shot video, the order, narration (its words, or the clip
 * heard) or sound settings changed. */
export function isFinalCutStale(
  project: Pick<Project, "settings" | "videoUrl" | "finalCutInputs">,
  boards: CutBoard[],
): boolean {
  if (!project.videoUrl) return false;
  // A cut from before versions were kept: nothing to compare with, so it is not called stale.
  if (!project.finalCutInputs) return false;
  return canonical(project.finalCutInputs) !== canonical(finalCutInputsOf(project, boards));
}

/** JSON with keys sorted at every level: Postgres `jsonb` does not keep key order. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}
