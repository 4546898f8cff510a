import { useState } from "preact/hooks";
import { call, type Job, type Schemas } from "../api.ts";
import { useFollowedJob } from "../jobs.ts";
import { Feedback, Section, useAction } from "../ui.tsx";
import { uploadFile } from "../upload.ts";
import type { ProjectViewProps } from "./props.ts";

type AssetsProps = ProjectViewProps & { assets: Schemas["Asset"][] };

/** A job's progress as a bar and as words read out when they change. */
export function JobProgress({ job, label }: { job: Job | null; label: string }) {
  if (!job) return null;
  const words =
    job.status === "queued"
      ? "waiting to start"
      : job.status === "running"
        ? `${job.progress}%`
        : job.status;
  return (
    <div class="progress">
      <progress aria-label={label} max={100} value={job.progress} />
      <span aria-live="polite">
        {label}: {words}
      </span>
    </div>
  );
}

function AssetCard({ api, asset, onChanged }: AssetsProps & { asset: Schemas["Asset"] }) {
  const [url, setUrl] = useState("");
  const action = useAction();
  const assetPath = { params: { path: { asset_id: asset.id } } };
  const useImage = (imageUrl: string) =>
    call(
      api.PUT("/api/v1/assets/{asset_id}/image", { ...assetPath, body: { image_url: imageUrl } }),
    );
  const id = `asset-${asset.id}`;
  return (
    <li class="card" aria-labelledby={`${id}-name`}>
      <h3 id={`${id}-name`}>{asset.name}</h3>
      {asset.original_url ? (
        <img
          class="asset-image"
          src={asset.original_url}
          alt={`${asset.name}, reference drawing`}
        />
      ) : (
        <p class="asset-image empty">No image yet</p>
      )}
      <p>{asset.description}</p>
      {asset.tags.length ? <p class="muted">{asset.tags.join(" · ")}</p> : null}
      <div class="row">
        <button
          type="button"
          disabled={!!action.busy}
          aria-label={`Generate image for ${asset.name}`}
          onClick={() =>
            action.run(`Drawing ${asset.name}`, async () => {
              await call(api.POST("/api/v1/assets/{asset_id}/generate-image", assetPath));
              await onChanged();
            })
          }
        >
          {asset.original_url ? "Draw again" : "Generate image"}
        </button>
      </div>
      <label for={`${id}-file`}>Upload image for {asset.name}</label>
      <input
        id={`${id}-file`}
        type="file"
        accept="image/*"
        disabled={!!action.busy}
        onChange={(e) => {
          const input = e.currentTarget;
          const file = input.files?.[0];
          if (!file) return;
          // Cleared at once, so the same file can be picked again after a failed upload.
          input.value = "";
          void action.run(`Uploading ${file.name}`, async () => {
            await useImage(await uploadFile(api, file, file.name));
            await onChanged();
          });
        }}
      />
      <form
        class="row"
        onSubmit={(event) => {
          event.preventDefault();
          void action.run("Using the image at that address", async () => {
            await useImage(url.trim());
            setUrl("");
            await onChanged();
          });
        }}
      >
        <label for={`${id}-url`} class="visually-hidden">
          Image URL for {asset.name}
        </label>
        <input
          id={`${id}-url`}
          type="url"
          placeholder="https://… image address"
          value={url}
          onInput={(e) => setUrl(e.currentTarget.value)}
        />
        <button type="submit" disabled={!!action.busy || !url.trim()}>
          Use URL
        </button>
      </form>
      <Feedback {...action} />
    </li>
  );
}

/** The script's assets: draw each, draw all missing (a background job), or bring your own. */
export function AssetsView(props: AssetsProps) {
  const { api, project, assets, onChanged } = props;
  // Followed like the film's jobs: leaving the project stops the polling, never the job.
  const images = useFollowedJob(api, () => void onChanged());
  const missing = assets.filter((a) => !a.original_url).length;
  const drawAll = () =>
    images.start(() =>
      call(
        api.POST("/api/v1/projects/{project_id}/generate-asset-images", {
          params: { path: { project_id: project.id } },
        }),
      ),
    );
  return (
    <Section id="assets" title="2. Assets">
      {assets.length === 0 ? (
        <p>No assets yet: generating the script lists the ones it needs.</p>
      ) : (
        <div class="row">
          <button type="button" disabled={images.running || missing === 0} onClick={drawAll}>
            Generate all missing images
          </button>
          <span class="muted">
            {missing === 0 ? "Every asset has an image." : `${missing} without an image.`}
          </span>
        </div>
      )}
      <JobProgress job={images.job} label="Asset images" />
      <div class="alert" role="alert">
        {images.error ?? ""}
      </div>
      <ul class="cards">
        {assets.map((asset) => (
          <AssetCard key={asset.id} {...props} asset={asset} />
        ))}
      </ul>
    </Section>
  );
}
