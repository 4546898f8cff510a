import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { describeError } from "./api.ts";

/**
 * One action area's state: what it is doing (for the live status line) and the last failure, in
 * words. Every button of the area runs through `run`, so no failure is ever silent.
 */
export function useAction() {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (label: string, work: () => Promise<unknown>): Promise<boolean> => {
    setBusy(label);
    setError(null);
    try {
      await work();
      return true;
    } catch (failure) {
      setError(describeError(failure));
      return false;
    } finally {
      setBusy(null);
    }
  };
  return { busy, error, run, setError };
}

/**
 * The status line and the error region of an action area. Both stay in the page while empty:
 * screen readers announce live regions that already exist, not ones that appear with their text.
 */
export function Feedback({ busy, error }: { busy: string | null; error: string | null }) {
  return (
    <>
      <p class="status" aria-live="polite">
        {busy ? `${busy}…` : ""}
      </p>
      <div class="alert" role="alert">
        {error ?? ""}
      </div>
    </>
  );
}

/**
 * A destructive button that asks first, in the page (not a browser dialog): the second step names
 * what will be lost and takes focus, so a keyboard user confirms or cancels right there.
 */
export function ConfirmButton(props: {
  label: string;
  question: string;
  confirmLabel: string;
  disabled?: boolean;
  onConfirm: () => unknown;
}) {
  const [asking, setAsking] = useState(false);
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) confirm.current?.focus();
  }, [asking]);
  if (!asking) {
    return (
      <button
        type="button"
        class="danger"
        disabled={props.disabled}
        onClick={() => setAsking(true)}
      >
        {props.label}
      </button>
    );
  }
  return (
    <fieldset class="confirm">
      <legend class="visually-hidden">{props.question}</legend>
      <span aria-hidden="true">{props.question}</span>
      <button
        type="button"
        class="danger"
        ref={confirm}
        onClick={async () => {
          setAsking(false);
          await props.onConfirm();
        }}
      >
        {props.confirmLabel}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </fieldset>
  );
}

/** A titled part of the project page: one heading, one landmark. */
export function Section(props: { id: string; title: string; children: ComponentChildren }) {
  return (
    <section class="panel" aria-labelledby={`${props.id}-title`}>
      <h2 id={`${props.id}-title`}>{props.title}</h2>
      {props.children}
    </section>
  );
}
