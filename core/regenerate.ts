import { generateFrame } from "./frames.ts";
import { stepTemplate } from "./prompts.ts";
import { textProvider } from "./providers/text/index.ts";
import { recordSpend } from "./spend.ts";
import { requireLiveStoryboard, type StoryboardState } from "./storyboards.ts";
import { renderTemplate } from "./templates.ts";

/** The versioned template of the regenerate step (editable in `prompts` like any other). */
export const REGENERATE_STEP = "storyboard_regenerate";
export const REGENERATE_TEMPLATE = [
  "Revise one shot of a storyboard following the user's note. Keep everything the note does not ask to change: characters, setting, style and continuity with the other shots.",
  "",
  "User's note: ${detail}",
  "",
  "Current first-frame prompt (a still image):",
  "${frame_prompt}",
  "",
  "Current shot prompt (camera and motion, 4–8 seconds):",
  "${shot_prompt}",
  "",
  'Reply with JSON only: {"frame_prompt": "...", "shot_prompt": "..."}',
].join("\n");

/**
 * Seed 002's shot regenerate: the LLM rewrites the shot's prompts following `detail`, then a new
 * first frame is drawn from them. The new prompts and frame are written together, as a version of
 * source `regenerated` whose provenance holds the template version, the note and the old prompts;
 * the old frame stays in the history. A failed frame leaves the storyboard as it was.
 */
export async function regenerateStoryboard(id: number, detail = ""): Promise<StoryboardState> {
  const board = await requireLiveStoryboard(id);
  const template = await stepTemplate(REGENERATE_STEP, REGENERATE_TEMPLATE);
  const values = {
    detail: detail.trim() || "A fresh take on the same moment.",
    frame_prompt: board.framePrompt,
    shot_prompt: board.shotPrompt,
  };
  const prompt = renderTemplate(template.prompt, values);
  const text = await textProvider();
  const rewrite = await text.rewriteShot({
    prompt,
    shot: { frame_prompt: board.framePrompt, shot_prompt: board.shotPrompt },
    detail: values.detail,
  });
  await recordSpend(board.projectId, "llm", rewrite);
  return generateFrame(id, rewrite.value.frame_prompt, board.frameAssetIds, {
    source: "regenerated",
    shotPrompt: rewrite.value.shot_prompt,
    provenance: {
      rewrite: {
        template: {
          id: template.id,
          step: template.step,
          name: template.name,
          version: template.version,
        },
        detail: values.detail,
        prompt_sent: prompt,
        provider: rewrite.provider,
        model: rewrite.model,
        previous: { frame_prompt: board.framePrompt, shot_prompt: board.shotPrompt },
        previous_frame_version_id: board.frameVersionId,
      },
      template: {
        id: template.id,
        step: template.step,
        name: template.name,
        version: template.version,
      },
    },
  });
}
