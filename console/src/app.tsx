import type { StudioClient } from "@storyboard-studio/client";
import { Component, type ComponentChildren } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { describeError, KEY_STORAGE, makeClient, type Schemas } from "./api.ts";
import { ProjectList, ProjectPage } from "./views/projects.tsx";

/** `#/projects/12` → 12; anything else is the list. The hash survives a reload. */
function projectIdOf(hash: string): number | undefined {
  const match = /^#\/projects\/(\d+)$/.exec(hash);
  return match ? Number(match[1]) : undefined;
}

function useHashRoute() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onChange = () => setHash(location.hash);
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }, []);
  return projectIdOf(hash);
}

const readKey = () => {
  try {
    return localStorage.getItem(KEY_STORAGE) ?? "";
  } catch {
    return ""; // storage blocked: the key lives for this page only
  }
};

function ApiKeyField({ saved, onSave }: { saved: string; onSave: (key: string) => void }) {
  const [draft, setDraft] = useState(saved);
  return (
    <form
      class="key-form"
      onSubmit={(event) => {
        event.preventDefault();
        onSave(draft.trim());
      }}
    >
      <label for="api-key">API key</label>
      <input
        id="api-key"
        type="password"
        autocomplete="off"
        placeholder="not needed on a local server"
        value={draft}
        onInput={(e) => setDraft(e.currentTarget.value)}
      />
      <button type="submit">Use key</button>
    </form>
  );
}

/** Readiness from `GET /health`, and whether the AI runs offline (placeholders, no cost). */
function HealthIndicator({ api }: { api: StudioClient }) {
  const [health, setHealth] = useState<Schemas["Health"] | "unreachable" | null>(null);
  useEffect(() => {
    let live = true;
    const check = async () => {
      try {
        const { data, error } = await api.GET("/health");
        if (live) setHealth(data ?? (error as Schemas["Health"] | undefined) ?? "unreachable");
      } catch {
        if (live) setHealth("unreachable");
      }
    };
    void check();
    const timer = setInterval(check, 30_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [api]);
  const state = health === null ? "checking" : health === "unreachable" ? "down" : health.status;
  const words =
    health === null
      ? "checking…"
      : health === "unreachable"
        ? "unreachable"
        : health.status === "ok"
          ? "ready"
          : "degraded";
  const offline =
    health && health !== "unreachable" && Object.values(health.offline ?? {}).some(Boolean);
  return (
    <p class={`health health-${state}`} role="status">
      <span class="dot" aria-hidden="true" /> API {words}
      {offline ? " · offline AI (placeholders, no cost)" : ""}
    </p>
  );
}

/** A render error shows words and a way back instead of a blank page. */
export class ErrorBoundary extends Component<
  { children: ComponentChildren },
  { failure: unknown }
> {
  override state = { failure: undefined as unknown };
  static override getDerivedStateFromError(failure: unknown) {
    return { failure };
  }
  override render() {
    if (this.state.failure === undefined) return this.props.children;
    return (
      <div class="panel" role="alert">
        <h2>Something went wrong on this page</h2>
        <p>{describeError(this.state.failure)}</p>
        <button type="button" onClick={() => this.setState({ failure: undefined })}>
          Try again
        </button>{" "}
        <a href="#/">Back to projects</a>
      </div>
    );
  }
}

export function App() {
  const [apiKey, setApiKey] = useState(readKey);
  const api = useMemo(() => makeClient(apiKey), [apiKey]);
  const projectId = useHashRoute();
  const saveKey = (key: string) => {
    try {
      if (key) localStorage.setItem(KEY_STORAGE, key);
      else localStorage.removeItem(KEY_STORAGE);
    } catch {
      // storage blocked: the key still works until the page closes
    }
    setApiKey(key);
  };
  return (
    <>
      {/* A button, not a #main link: the hash is the route. */}
      <button type="button" class="skip" onClick={() => document.getElementById("main")?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <p class="brand">
          <a href="#/">Storyboard Studio</a>
        </p>
        <ApiKeyField saved={apiKey} onSave={saveKey} />
        <HealthIndicator api={api} />
      </header>
      <main id="main" tabIndex={-1}>
        <ErrorBoundary key={`${projectId}:${apiKey}`}>
          {projectId === undefined ? (
            <ProjectList api={api} />
          ) : (
            <ProjectPage api={api} projectId={projectId} />
          )}
        </ErrorBoundary>
      </main>
    </>
  );
}
