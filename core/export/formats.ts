import { toSrt, toWebVtt } from "../subtitles/formats.ts";
import { toEdl } from "./edl.ts";
import { toFcpxml } from "./fcpxml.ts";
import { toOtio } from "./otio.ts";
import type { CutExport } from "./timeline.ts";

/** The formats `GET /projects/{id}/export` offers, with how each is served. */
export const EXPORT_FORMATS = {
  fcpxml: { contentType: "application/xml; charset=utf-8", extension: "fcpxml", write: toFcpxml },
  otio: { contentType: "application/json; charset=utf-8", extension: "otio", write: toOtio },
  edl: { contentType: "text/plain; charset=utf-8", extension: "edl", write: toEdl },
  srt: {
    contentType: "application/x-subrip; charset=utf-8",
    extension: "srt",
    write: (cut: CutExport) => toSrt(cut.cues),
  },
  vtt: {
    contentType: "text/vtt; charset=utf-8",
    extension: "vtt",
    write: (cut: CutExport) => toWebVtt(cut.cues),
  },
} as const;

export type ExportFormat = keyof typeof EXPORT_FORMATS;
export const exportFormats = Object.keys(EXPORT_FORMATS) as [ExportFormat, ...ExportFormat[]];

/** A download name from the project's name: ASCII letters, digits and dashes, never empty. */
export function fileNameOf(cut: Pick<CutExport, "name" | "project_id">, format: ExportFormat) {
  const slug = cut.name
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .toLowerCase();
  return `${slug || "project"}-${cut.project_id}.${EXPORT_FORMATS[format].extension}`;
}

export function renderExport(cut: CutExport, format: ExportFormat) {
  const spec = EXPORT_FORMATS[format];
  return {
    body: spec.write(cut),
    contentType: spec.contentType,
    filename: fileNameOf(cut, format),
  };
}
