import type { StudioClient } from "@storyboard-studio/client";
import { ApiFailure, call } from "./api.ts";

/**
 * What the upload endpoint answers. Qiniu sends the token's `returnBody` (`key`, `hash`, …); the
 * local stand-in adds `url`. Errors carry `error` (Qiniu) or `detail`/`code` (ours).
 */
interface UploadReply {
  key?: string;
  url?: string;
  error?: string;
  detail?: string;
  code?: string;
}

/**
 * Uploads a file straight from the browser to storage (Qiniu's form upload, or `/upload` locally)
 * with a short-lived token from the API, and answers the file's public URL — the URL the API then
 * takes as a frame, guide or asset image. The file never passes through the API itself.
 */
export async function uploadFile(api: StudioClient, file: Blob, name: string): Promise<string> {
  const grant = await call(api.GET("/api/v1/qiniu/upload-token"));
  const form = new FormData();
  form.append("token", grant.token);
  form.append("file", file, name);
  let response: Response;
  try {
    response = await fetch(grant.upload_url, { method: "POST", body: form });
  } catch (error) {
    throw new ApiFailure(0, "network_error", `Could not reach the upload service (${error}).`);
  }
  const reply = (await response.json().catch(() => ({}))) as UploadReply;
  if (!response.ok) {
    const detail = reply.detail || reply.error || `Upload failed (${response.status})`;
    throw new ApiFailure(response.status, reply.code ?? `http_${response.status}`, detail);
  }
  if (reply.url) return reply.url;
  if (!reply.key) throw new ApiFailure(502, "upload_failed", "The upload answered no file key.");
  return `${grant.domain.replace(/\/$/, "")}/${reply.key.split("/").map(encodeURIComponent).join("/")}`;
}
