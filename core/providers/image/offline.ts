import { aspectSize, renderCard } from "../offline/card.ts";
import { decodeImage } from "../offline/png.ts";
import type { AssetDraft, Generated, ImageProvider } from "../types.ts";

const NAME = "offline";
const MODEL = "offline-image-v1";

function dominantColour(rgba: Uint8Array): string {
  let r = 0;
  let g = 0;
  let b = 0;
  const pixels = rgba.length / 4;
  // Every 16th pixel is plenty for an average and keeps large images cheap.
  let n = 0;
  for (let i = 0; i < rgba.length; i += 64) {
    r += rgba[i] ?? 0;
    g += rgba[i + 1] ?? 0;
    b += rgba[i + 2] ?? 0;
    n++;
  }
  const hex = (v: number) =>
    Math.round(v / Math.max(n, 1))
      .toString(16)
      .padStart(2, "0");
  return pixels ? `#${hex(r)}${hex(g)}${hex(b)}` : "#000000";
}

/**
 * Deterministic image provider for running without a Google key: real PNG cards that show the
 * prompt, tinted per subject, with the reference images composed in, and labelled as offline.
 */
export function offlineImage(imageModel: string): ImageProvider {
  const label = `OFFLINE · stands in for ${imageModel}`;
  return {
    name: NAME,
    model: MODEL,
    offline: true,
    async generate({
      prompt,
      references,
      aspectRatio,
      title,
    }): Promise<Generated<{ bytes: Uint8Array; mimeType: string }>> {
      const size = aspectSize(aspectRatio);
      const bytes = renderCard({
        ...size,
        title,
        prompt,
        label,
        seed: title,
        references: references.map((r) => r.bytes),
      });
      return { value: { bytes, mimeType: "image/png" }, provider: NAME, model: MODEL };
    },
    async describe(file): Promise<Generated<AssetDraft>> {
      const image = decodeImage(file.bytes);
      const shape = !image
        ? "unknown"
        : image.width > image.height
          ? "landscape"
          : image.width < image.height
            ? "portrait"
            : "square";
      const colour = image ? dominantColour(image.rgba) : "#000000";
      const kind = file.mimeType.replace("image/", "");
      return {
        value: {
          name: image ? `Image ${image.width}×${image.height}` : "Image",
          description: `Offline analysis (no vision model): a ${shape} ${kind} image${
            image ? ` of ${image.width}×${image.height} pixels, mostly ${colour}` : ""
          }.`,
          tags: ["offline", kind, shape],
        },
        provider: NAME,
        model: MODEL,
      };
    },
  };
}
