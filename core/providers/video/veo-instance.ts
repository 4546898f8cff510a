import type { ImageFile, VideoRequest } from "../types.ts";

/** An image as `predictLongRunning` takes it, on the Gemini API and Vertex AI alike. */
const encoded = (image: ImageFile) => ({
  bytesBase64Encoded: Buffer.from(image.bytes).toString("base64"),
  mimeType: image.mimeType,
});

/**
 * The Veo `predictLongRunning` instance (CAPABILITIES.md): the prompt, the first frame, the frame
 * to end on, and reference images ("ingredients", type asset) for a shot with no first frame.
 * Only what the request carries is sent; what a model may take was checked before.
 */
export const veoInstance = ({
  prompt,
  image,
  lastFrame,
  referenceImages,
}: Pick<VideoRequest, "prompt" | "image" | "lastFrame" | "referenceImages">) => ({
  prompt,
  ...(image ? { image: encoded(image) } : {}),
  ...(lastFrame ? { lastFrame: encoded(lastFrame) } : {}),
  ...(referenceImages?.length
    ? {
        referenceImages: referenceImages.map((r) => ({
          image: encoded(r),
          referenceType: "asset",
        })),
      }
    : {}),
});
