/** The formats `GET /projects/{id}/export` offers (a constant the route can load on its own). */
export const EXPORT_FORMATS = ["fcpxml", "otio", "edl", "srt", "vtt"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
