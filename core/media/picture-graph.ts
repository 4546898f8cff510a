import { type CutPlan, edgesOf } from "./timeline.ts";

export interface FrameTarget {
  width: number;
  height: number;
}

/**
 * The picture as one filter graph (the encode case), cut exactly like the sound (timeline.ts).
 * Each clip is fitted to the frame (scale, pad, square pixels, the film's rate, yuv420p), cut to
 * its frames, its last frame held (`tpad=stop_mode=clone`) to the shot's length, faded where the
 * cut goes through black, and split at a dissolve into head/body/tail. The 4.x build has no
 * `xfade`, so a dissolve is the incoming head as yuva420p with `fade=t=in:alpha=1` overlaid on
 * the outgoing tail (both start at 0, so no `setpts` shift is needed), a segment of its own.
 * Segments are concatenated in order. Input i is clip i.
 */
export function pictureGraph(plan: CutPlan, t: FrameTarget): { filters: string[]; out: string } {
  const filters: string[] = [];
  const segments: string[] = [];
  let pendingTail: string | undefined;
  for (const [i, p] of plan.shots.entries()) {
    const e = edgesOf(plan, i);
    const chain = [
      `[${i}:v]scale=${t.width}:${t.height}:force_original_aspect_ratio=decrease`,
      `pad=${t.width}:${t.height}:(ow-iw)/2:(oh-ih)/2`,
      "setsar=1",
      `fps=${plan.fps}`,
      "format=yuv420p",
      `trim=end_frame=${p.clipFrames}`,
      // Held to the shot's length; a clip a frame or two short of its probe is held too.
      `tpad=stop_mode=clone:stop=${p.frames - p.clipFrames + Math.ceil(plan.fps)}`,
      `trim=end_frame=${p.frames}`,
      "setpts=PTS-STARTPTS",
    ];
    if (e.fadeIn) chain.push(`fade=t=in:s=0:n=${e.fadeIn}`);
    if (e.fadeOut) chain.push(`fade=t=out:s=${p.frames - e.fadeOut}:n=${e.fadeOut}`);
    const parts = [e.head && "h", "b", e.tail && "t"].filter(Boolean) as string[];
    const label = (part: string) => `p${i}${part}`;
    filters.push(
      `${chain.join(",")}${parts.length > 1 ? `,split=${parts.length}` : ""}${parts.map((x) => `[${label(x)}]`).join("")}`,
    );
    const cut = (part: string, from: number, to: number, more = "") =>
      filters.push(
        `[${label(part)}]trim=start_frame=${from}:end_frame=${to},setpts=PTS-STARTPTS${more}[y${i}${part}]`,
      );
    if (e.head) {
      cut("h", 0, e.head, `,format=yuva420p,fade=t=in:s=0:n=${e.head}:alpha=1`);
      filters.push(
        `[${pendingTail}][y${i}h]overlay=format=yuv420:eof_action=pass,format=yuv420p[d${i}]`,
      );
      segments.push(`[d${i}]`);
    }
    if (parts.length > 1) cut("b", e.head, p.frames - e.tail);
    segments.push(parts.length > 1 ? `[y${i}b]` : `[${label("b")}]`);
    if (e.tail) {
      cut("t", p.frames - e.tail, p.frames);
      pendingTail = `y${i}t`;
    }
  }
  filters.push(
    segments.length > 1
      ? `${segments.join("")}concat=n=${segments.length}:v=1:a=0[video]`
      : `${segments[0]}null[video]`,
  );
  return { filters, out: "video" };
}
