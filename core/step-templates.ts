import type { Prompt } from "./db/schema.ts";
import { listPromptsByStep, stepTemplate } from "./prompts.ts";

/** The steps whose templates the script and storyboard routes use when a request sends none. */
export const SCRIPT_STEP = "create_script";
/** The step the front end's storyboard templates live under (seed 001). */
export const STORYBOARDS_STEP = "create_shots";

/** Used when no `create_script` template exists yet; put in the table (editable) on first use. */
export const SCRIPT_TEMPLATE = [
  "Write the script of a short film (about 60 seconds) from this idea, and list the characters,",
  "places and props it needs as assets, each with a name, a visual description and tags.",
  "",
  "Idea:",
  "${script_or_idea}",
].join("\n");

/** Used when no `create_shots` template exists yet; put in the table (editable) on first use. */
export const STORYBOARDS_TEMPLATE = [
  "Split the script into shots for a short film. For each shot write a first-frame prompt (a still image),",
  "the ids of the assets that appear in it, and a shot prompt (camera and motion, 4–8 seconds).",
  "",
  "Assets:",
  "${materials_description}",
  "",
  "Script:",
  "${script}",
].join("\n");

const BUILT_IN: Record<typeof SCRIPT_STEP | typeof STORYBOARDS_STEP, string> = {
  [SCRIPT_STEP]: SCRIPT_TEMPLATE,
  [STORYBOARDS_STEP]: STORYBOARDS_TEMPLATE,
};

/**
 * The template a step runs with when the caller names none: the step's own stored template (the
 * first by name, so one an admin adds wins over nothing), else the built-in one, stored as
 * `default` on first use so it can be edited like any other. Renders and the generate routes
 * share it, so a request without a template writes what a render would.
 */
export async function storedTemplateOf(step: keyof typeof BUILT_IN): Promise<Prompt> {
  const [own] = await listPromptsByStep(step);
  return own ?? (await stepTemplate(step, BUILT_IN[step]));
}
