import type { StudioClient } from "@storyboard-studio/client";
import { call } from "./api.ts";

/**
 * Prompt templates live in the API by step (`GET /prompts/step/{step}`); admins edit them there.
 * Where a step has none yet, the console sends its own default, which carries the variables the
 * API requires (it refuses a template without them).
 */
export const SCRIPT_STEP = "create_script";
export const STORYBOARDS_STEP = "create_shots";

const BUILT_IN: Record<string, string> = {
  [SCRIPT_STEP]: [
    "Write the script of a short film (about 60 seconds) from this idea, and list the characters,",
    "places and props it needs as assets, each with a name, a visual description and tags.",
    "",
    "Idea:",
    "${script_or_idea}",
  ].join("\n"),
  // The same text the API's render uses when it has no create_shots template.
  [STORYBOARDS_STEP]: [
    "Split the script into shots for a short film. For each shot write a first-frame prompt (a still image),",
    "the ids of the assets that appear in it, and a shot prompt (camera and motion, 4–8 seconds).",
    "",
    "Assets:",
    "${materials_description}",
    "",
    "Script:",
    "${script}",
  ].join("\n"),
};

export interface TemplateChoice {
  /** What the picker shows: "default (v2)" or "Built-in default". */
  label: string;
  prompt: string;
}

/** The step's templates, its stored `default` first; the built-in one when it has none. */
export async function templatesOf(api: StudioClient, step: string): Promise<TemplateChoice[]> {
  const stored = await call(api.GET("/api/v1/prompts/step/{step}", { params: { path: { step } } }));
  const sorted = [...stored].sort((a, b) =>
    a.name === "default" ? -1 : b.name === "default" ? 1 : a.name.localeCompare(b.name),
  );
  const choices = sorted.map((t) => ({ label: `${t.name} (v${t.version})`, prompt: t.prompt }));
  return choices.length ? choices : [{ label: "Built-in default", prompt: BUILT_IN[step] ?? "" }];
}
