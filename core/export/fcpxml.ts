import { type Edit, editsOf, mediaOf, sourceFrameAt } from "./edits.ts";
import type { CutExport, ExportAudio } from "./timeline.ts";

/**
 * FCPXML 1.10 (Final Cut Pro 10.6+, DaVinci Resolve): resources (the sequence's format, the
 * transition effects used, one asset per file with its URL), then library → event → project →
 * sequence → spine with one asset-clip per shot in order, transitions between them, and the
 * narration (lane -1, role dialogue) and music (lane -2, role music) as connected clips. A held
 * last frame is a `timeMap` that stops on it. Element order and attributes follow Apple's DTD.
 */

/** Built-in effects, by the ids Final Cut Pro and Resolve write for them. */
const EFFECTS = {
  dissolve: { name: "Cross Dissolve", uid: "FxPlug:4731E73A-8DAC-4113-9A30-AE85B1761265" },
  fade: { name: "Fade To Color", uid: "FxPlug:F779C565-486D-4633-8035-0374B4DB8F5C" },
  audio: { name: "Audio Crossfade", uid: "FFAudioTransition" },
} as const;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

const escapeXml = (value: string) =>
  value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");

/** `<name a="1" b="2"/>` or with children, attributes escaped, undefined ones left out. */
function element(
  name: string,
  attrs: Record<string, string | number | undefined>,
  children: string[] = [],
) {
  const list = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join("");
  return children.length === 0
    ? `<${name}${list}/>`
    : `<${name}${list}>\n${children.map((c) => indent(c)).join("\n")}\n</${name}>`;
}
const indent = (text: string) =>
  text
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");

export function toFcpxml(cut: CutExport): string {
  const fps = cut.fps;
  /** Rational seconds from frames, as FCPXML writes time ("0s", "2s", "49/24s"). */
  const time = (frames: number) =>
    frames === 0 ? "0s" : frames % fps === 0 ? `${frames / fps}s` : `${frames}/${fps}s`;
  /** A file's own length, to the millisecond. */
  const exact = (seconds: number) => {
    const ms = Math.round(seconds * 1000);
    const d = gcd(ms, 1000);
    return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms / d}/${1000 / d}s`;
  };
  const frames = (seconds: number) => Math.round(seconds * fps);

  const edits = editsOf(cut);
  const kinds = new Set(edits.flatMap((e) => (e.transition ? [e.transition.kind] : [])));
  const resources: string[] = [];
  let next = 1;
  const id = () => `r${next++}`;
  const sequenceFormat = id();
  resources.push(
    element("format", {
      id: sequenceFormat,
      frameDuration: `1/${fps}s`,
      width: cut.width,
      height: cut.height,
      colorSpace: "1-1-1 (Rec. 709)",
    }),
  );
  // Clips of another frame size keep their own format; FCP conforms them to the sequence.
  const formats = new Map<string, string>([[`${cut.width}x${cut.height}`, sequenceFormat]]);
  for (const shot of cut.shots) {
    const key = `${shot.width ?? cut.width}x${shot.height ?? cut.height}`;
    if (formats.has(key)) continue;
    const ref = id();
    formats.set(key, ref);
    resources.push(
      element("format", {
        id: ref,
        frameDuration: `1/${fps}s`,
        width: shot.width,
        height: shot.height,
        colorSpace: "1-1-1 (Rec. 709)",
      }),
    );
  }
  const effect: Partial<Record<keyof typeof EFFECTS, string>> = {};
  for (const kind of ["dissolve", "fade", "audio"] as const) {
    if (kind === "audio" ? kinds.size === 0 : !kinds.has(kind)) continue;
    effect[kind] = id();
    resources.push(element("effect", { id: effect[kind], ...EFFECTS[kind] }));
  }
  const assets = new Map<string, string>();
  for (const file of mediaOf(cut)) {
    const ref = id();
    assets.set(file.url, ref);
    const video = file.kind === "video";
    const size = file.shot
      ? `${file.shot.width ?? cut.width}x${file.shot.height ?? cut.height}`
      : "";
    resources.push(
      element(
        "asset",
        {
          id: ref,
          name: file.name,
          start: "0s",
          duration: file.duration ? exact(file.duration) : undefined,
          hasVideo: video ? "1" : undefined,
          format: video ? formats.get(size) : undefined,
          videoSources: video ? "1" : undefined,
          hasAudio: !video || file.shot?.has_audio !== false ? "1" : undefined,
          audioSources: !video || file.shot?.has_audio !== false ? "1" : undefined,
        },
        [element("media-rep", { kind: "original-media", src: file.url })],
      ),
    );
  }

  /** Audio clips hang from the spine clip that is on screen when they start. */
  const lanes = edits.map(() => [] as string[]);
  const anchor = (clip: ExportAudio, lane: number, role: string) => {
    const at = frames(clip.start);
    const i = Math.max(
      0,
      edits.findIndex((e) => at >= e.editIn && at < e.editOut),
    );
    const parent = edits[i] as Edit;
    lanes[i]?.push(
      element("asset-clip", {
        ref: assets.get(clip.url),
        lane,
        offset: time(at - parent.start + parent.clipStart),
        name: clip.name,
        start: time(frames(clip.source_start)),
        duration: time(Math.max(1, Math.floor(clip.duration * fps))),
        audioRole: role,
      }),
    );
  };
  for (const clip of cut.narration) anchor(clip, -1, "dialogue");
  for (const clip of cut.music) anchor(clip, -2, "music");

  const spine: string[] = [];
  edits.forEach((edit, i) => {
    if (edit.transition) {
      const kind = edit.transition.kind;
      spine.push(
        element(
          "transition",
          {
            name: EFFECTS[kind].name,
            offset: time(edit.transition.start),
            duration: time(edit.transition.end - edit.transition.start),
          },
          [
            element("filter-video", { ref: effect[kind], name: EFFECTS[kind].name }),
            element("filter-audio", { ref: effect.audio, name: EFFECTS.audio.name }),
          ],
        ),
      );
    }
    const local = (record: number) => record - edit.start + edit.clipStart;
    const children: string[] = [];
    if (edit.holdFrames > 0) {
      // The clip plays, then stops on its last frame for the hold.
      const last = sourceFrameAt(edit, edit.end);
      children.push(
        element("timeMap", {}, [
          element("timept", {
            time: time(edit.clipStart),
            value: time(edit.clipStart),
            interp: "linear",
          }),
          element("timept", { time: time(last), value: time(last), interp: "linear" }),
          element("timept", { time: time(local(edit.end)), value: time(last), interp: "linear" }),
        ]),
      );
    }
    children.push(...(lanes[i] ?? []));
    spine.push(
      element(
        "asset-clip",
        {
          ref: assets.get(edit.shot.url),
          offset: time(edit.editIn),
          name: edit.shot.name,
          start: time(local(edit.editIn)),
          duration: time(edit.editOut - edit.editIn),
          tcFormat: "NDF",
        },
        children,
      ),
    );
  });
  const total = edits.at(-1)?.editOut ?? 0;
  const sequence = element(
    "sequence",
    {
      format: sequenceFormat,
      duration: time(total),
      tcStart: "0s",
      tcFormat: "NDF",
      audioLayout: "stereo",
      audioRate: "48k",
    },
    [element("spine", {}, spine)],
  );
  const library = element("library", {}, [
    element("event", { name: cut.name }, [element("project", { name: cut.name }, [sequence])]),
  ]);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    "<!DOCTYPE fcpxml>",
    element("fcpxml", { version: "1.10" }, [element("resources", {}, resources), library]),
    "",
  ].join("\n");
}
