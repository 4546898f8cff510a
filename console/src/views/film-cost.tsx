import type { StudioClient } from "@storyboard-studio/client";
import { useEffect, useState } from "preact/hooks";
import { call, describeError } from "../api.ts";

const KIND_WORDS: Record<string, string> = {
  text: "text",
  image: "images",
  video: "video",
  speech: "speech",
};

const usd = (n: number) =>
  n.toLocaleString("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 2 });

/**
 * What the project's paid provider calls have cost so far (estimated from the price table), read
 * again whenever `refresh` changes — after every job this view ran.
 */
export function CostSoFar(props: { api: StudioClient; projectId: number; refresh: number }) {
  const { api, projectId, refresh } = props;
  const [costs, setCosts] = useState<{
    total_usd: number;
    by_kind: Record<string, { calls: number; usd: number }>;
  } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    call(
      api.GET("/api/v1/projects/{project_id}/costs", {
        params: { path: { project_id: projectId } },
      }),
    )
      .then((c) => {
        if (!live) return;
        setCosts(c);
        setError(null);
      })
      .catch((failure) => live && setError(describeError(failure)));
    return () => {
      live = false;
    };
  }, [api, projectId, refresh]);

  const kinds = Object.entries(costs?.by_kind ?? {});
  return (
    <div class="cost" aria-live="polite">
      <p>
        <strong>Cost so far:</strong>{" "}
        <output aria-label="Cost so far">{costs ? usd(costs.total_usd) : "…"}</output>
        {costs && <span class="film-hint"> (estimated from list prices)</span>}
      </p>
      {kinds.length > 0 && (
        <ul class="cost-list">
          {kinds.map(([kind, c]) => (
            <li key={kind}>
              {KIND_WORDS[kind] ?? kind}: {c.calls} call{c.calls === 1 ? "" : "s"}, {usd(c.usd)}
            </li>
          ))}
        </ul>
      )}
      <div role="alert" class="alert">
        {error}
      </div>
    </div>
  );
}
