import type { StudioClient } from "@storyboard-studio/client";
import { useEffect, useState } from "preact/hooks";
import { call } from "../api.ts";
import type { useAction } from "../ui.tsx";

/** The steps whose stored templates the script and storyboard generators offer. */
export const SCRIPT_STEP = "create_script";
export const STORYBOARDS_STEP = "create_shots";

interface TemplateChoice {
  label: string;
  /** Sent as `prompt_template`; none for the step's default, which the API chooses. */
  prompt?: string;
}

/**
 * A step's template choice. The first is the API's own default for the step (its first stored
 * template, else the built-in one), so the console carries no template text; the step's stored
 * templates (`GET /prompts/step/{step}`, edited by admins) follow by name.
 */
export function useTemplateChoice(
  api: StudioClient,
  step: string,
  action: ReturnType<typeof useAction>,
) {
  const [choices, setChoices] = useState<TemplateChoice[] | null>(null);
  const [index, setIndex] = useState(0);
  useEffect(() => {
    void action.run("Loading templates", async () => {
      const stored = await call(
        api.GET("/api/v1/prompts/step/{step}", { params: { path: { step } } }),
      );
      setChoices([
        { label: "Step default" },
        ...stored.map((t) => ({ label: `${t.name} (v${t.version})`, prompt: t.prompt })),
      ]);
    });
  }, [api, step]);
  return { choices, index, setIndex, prompt: () => choices?.[index]?.prompt };
}

/** The picker of one step's templates. */
export function TemplatePicker(props: {
  id: string;
  label: string;
  template: ReturnType<typeof useTemplateChoice>;
}) {
  const { choices, index, setIndex } = props.template;
  return (
    <>
      <label for={props.id}>{props.label}</label>
      <select
        id={props.id}
        value={String(index)}
        disabled={!choices}
        onChange={(e) => setIndex(Number(e.currentTarget.value))}
      >
        {(choices ?? [{ label: "Loading templates…" }]).map((t, i) => (
          <option key={t.label} value={String(i)}>
            {t.label}
          </option>
        ))}
      </select>
    </>
  );
}
