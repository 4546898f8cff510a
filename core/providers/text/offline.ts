import { createHash } from "node:crypto";
import type { AssetDraft, ShotPlan, TextProvider } from "../types.ts";

const NAME = "offline";
const MODEL = "offline-text-v1";
const LABEL = "[Offline draft: written without a language model]";
const SAFETY_LABEL = "[Offline safety rewrite]";

/** Stable small integer from text, so the same idea always gives the same film. */
const hash = (text: string) => createHash("sha256").update(text).digest().readUInt32BE(0);

/** Sentences of a script or idea, in Chinese or Western punctuation. */
function sentences(text: string): string[] {
  return text
    .split(/(?<=[。！？!?.])\s*|\n+/u)
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && s !== LABEL);
}

const clip = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

const CAMERA = [
  "Slow push-in on the subject, soft natural light",
  "Wide establishing shot, gentle pan from left to right",
  "Handheld tracking shot following the movement",
  "Low-angle shot, slow tilt up, dramatic light",
  "Over-the-shoulder shot with shallow depth of field",
  "Slow pull-back revealing the surroundings",
];

function assetsFor(idea: string): AssetDraft[] {
  const subject = clip(sentences(idea)[0] ?? idea, 60);
  const roster: AssetDraft[] = [
    {
      name: "Protagonist",
      description: `The main character of the story: ${subject}`,
      tags: ["character", "lead"],
    },
    {
      name: "Main setting",
      description: `The place where the story unfolds, matching: ${subject}`,
      tags: ["scene", "location"],
    },
    {
      name: "Key prop",
      description: "The object that drives the story forward",
      tags: ["prop"],
    },
    {
      name: "Companion",
      description: "A character the protagonist meets on the way",
      tags: ["character", "supporting"],
    },
    {
      name: "Second setting",
      description: "Where the story turns, contrasting with the main setting",
      tags: ["scene", "location"],
    },
    {
      name: "Light and weather",
      description: "The atmosphere shared by every shot: light, colour, weather",
      tags: ["style", "atmosphere"],
    },
  ];
  return roster.slice(0, 3 + (hash(idea) % 4));
}

/**
 * Deterministic text provider for running without OpenRouter: the script is built from the idea,
 * the assets (3–6) from its first sentence, and the storyboards split the script into shots that
 * reference the project's real asset ids. Every text says it is an offline draft.
 */
export function offlineText(): TextProvider {
  return {
    name: NAME,
    model: MODEL,
    offline: true,
    async writeScript({ idea }) {
      const assets = assetsFor(idea);
      const beats = sentences(idea);
      const scenes = [
        `Scene 1 — Opening. ${assets[1]?.name}: ${beats[0] ?? idea}`,
        ...beats.slice(1, 4).map((beat, i) => `Scene ${i + 2}. ${beat}`),
        `Scene ${Math.min(beats.length, 4) + 1} — Ending. The ${assets[0]?.name.toLowerCase()} looks back; the story closes.`,
      ];
      return {
        value: { full_script: [LABEL, ...scenes].join("\n"), assets },
        provider: NAME,
        model: MODEL,
        usage: { input_tokens: 0, output_tokens: 0 },
      };
    },
    async planStoryboards({ script, assets }) {
      // A script's lines are its scenes; a one-paragraph script is split into sentences instead.
      const lines = script
        .split(/\n+/)
        .map((l) => l.trim())
        .filter((l) => l && l !== LABEL);
      const beats = (lines.length >= 3 ? lines : sentences(script)).slice(0, 8);
      const shots =
        beats.length >= 3 ? beats : [...beats, "Closing image", "Final moment"].slice(0, 3);
      const ids = assets.map((a) => a.id);
      const plan: ShotPlan[] = shots.map((beat, i) => {
        const cast = ids.length ? [...new Set([ids[0], ids[(i + 1) % ids.length]])] : [];
        const names = assets.filter((a) => cast.includes(a.id)).map((a) => a.name);
        return {
          frame_prompt: `Shot ${i + 1}: ${clip(beat, 300)}${names.length ? ` Featuring ${names.join(", ")}.` : ""}`,
          frame_asset_ids: cast.filter((id): id is number => id !== undefined),
          shot_prompt: `${CAMERA[(hash(script) + i) % CAMERA.length]}. ${clip(beat, 200)}`,
        };
      });
      return {
        value: plan,
        provider: NAME,
        model: MODEL,
        usage: { input_tokens: 0, output_tokens: 0 },
      };
    },
    async rewriteShot({ shot, detail }) {
      // Offline, the note is applied literally: visible in both prompts, labelled as a revision.
      const note = detail.trim() || "a fresh take";
      const revise = (text: string) =>
        `${clip(text.replace(/ \(revised: [^)]*\)$/, ""), 7_000)} (revised: ${clip(note, 300)})`;
      return {
        value: { frame_prompt: revise(shot.frame_prompt), shot_prompt: revise(shot.shot_prompt) },
        provider: NAME,
        model: MODEL,
        usage: { input_tokens: 0, output_tokens: 0 },
      };
    },
    async rewriteForSafety({ kind, original }) {
      // Without a model nothing can be softened with judgement: the same text is asked for in a
      // gentler frame, labelled, so a rewrite made offline is always recognisable.
      const base = original.replace(/^\[Offline safety rewrite\] [^:]*: /, "");
      const what = kind === "frame" ? "still image" : "shot";
      return {
        value: {
          prompt: `${SAFETY_LABEL} A calm, family-friendly, non-graphic ${what}: ${clip(base, 7_000)}`,
        },
        provider: NAME,
        model: MODEL,
        usage: { input_tokens: 0, output_tokens: 0 },
      };
    },
  };
}
