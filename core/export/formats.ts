import { toSrt, toWebVtt } from "../subtitles/formats.ts";
import { toEdl } from "./edl.ts";
import { toFcpxml } from "./fcpxml.ts";
import type { ExportFormat } from "./kinds.ts";
import { toOtio } from "./otio.ts";
import { currentCut } from "./store.ts";
import type { CutExport } from "./timeline.ts";

/** How each export format is written and served. */
const FORMATS = {
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
} as const satisfies Record<
  ExportFormat,
  { contentType: string; extension: string; write: (cut: CutExport) => string }
>;

/** A download name from the project's name: ASCII letters, digits and dashes, never empty. */
export function fileNameOf(cut: Pick<CutExport, "name" | "project_id">, format: ExportFormat) {
  const slug = cut.name
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .toLowerCase();
  return `${slug || "project"}-${cut.project_id}.${FORMATS[format].extension}`;
}

export function renderExport(cut: CutExport, format: ExportFormat) {
  const spec = FORMATS[format];
  return {
    body: spec.write(cut),
    contentType: spec.contentType,
    filename: fileNameOf(cut, format),
  };
}

/** The current cut of a project in one format (409 `no_cut` when it has none). */
export async function exportCut(projectId: number, format: ExportFormat) {
  return renderExport(await currentCut(projectId), format);
}
