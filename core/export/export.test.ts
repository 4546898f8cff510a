import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { DtdValidator, XmlDocument, XmlDtd, type XmlElement } from "libxml2-wasm";
import { describe, expect, it } from "vitest";
import { sampleCut } from "../../test/support/cut-export.ts";
import { toEdl } from "./edl.ts";
import { toFcpxml } from "./fcpxml.ts";
import { fileNameOf, renderExport } from "./formats.ts";
import { toOtio } from "./otio.ts";

const cut = sampleCut();
const shotNames = cut.shots.map((s) => s.name);
const total = Math.round(cut.duration * cut.fps);

/** FCPXML time ("0s", "2s", "49/24s") in frames of the cut. */
function frames(time: string | null): number {
  const m = /^(\d+)(?:\/(\d+))?s$/.exec(time ?? "");
  if (!m) throw new Error(`not an FCPXML time: ${time}`);
  return (Number(m[1]) / Number(m[2] ?? 1)) * cut.fps;
}

function validate(xml: string, dtdPath: string) {
  const dtd = XmlDtd.fromBuffer(readFileSync(dtdPath));
  const doc = XmlDocument.fromString(xml);
  try {
    new DtdValidator(dtd).validate(doc);
  } finally {
    doc.dispose();
    dtd.dispose();
  }
}

const subsetDtd = fileURLToPath(new URL("./fcpxml-subset.dtd", import.meta.url));

describe("FCPXML 1.10", () => {
  const xml = toFcpxml(cut);

  it("validates against the DTD of what it writes (a narrowing of Apple's FCPXMLv1_10.dtd)", () => {
    expect(() => validate(xml, subsetDtd)).not.toThrow();
    // The DTD does reject what Apple's would: an element out of place fails.
    const broken = xml.replace("<spine>", '<spine><gap duration="1s"/>');
    expect(() => validate(broken, subsetDtd)).toThrow(/gap/);
  });

  // Apple's DTD is not ours to ship; point FCPXML_DTD at FCPXMLv1_10.dtd to check against it.
  it.skipIf(!process.env.FCPXML_DTD)("validates against Apple's FCPXMLv1_10.dtd", () => {
    expect(() => validate(xml, process.env.FCPXML_DTD as string)).not.toThrow();
  });

  it("lists every shot in order on the spine, end to end, with its transitions", () => {
    const doc = XmlDocument.fromString(xml);
    const spine = doc.get("//spine") as XmlElement;
    const items = spine.find("./*") as XmlElement[];
    const clips = items.filter((e) => e.name === "asset-clip");
    expect(clips.map((c) => c.attr("name")?.value)).toEqual(shotNames);
    // Each shot plays its own file.
    const src = (ref: string | undefined) =>
      (doc.get(`//asset[@id="${ref}"]/media-rep`) as XmlElement).attr("src")?.value;
    expect(clips.map((c) => src(c.attr("ref")?.value))).toEqual(cut.shots.map((s) => s.url));
    // Clips sit end to end; the sequence is as long as the cut.
    let at = 0;
    for (const c of clips) {
      expect(frames(c.attr("offset")?.value ?? null)).toBe(at);
      at += frames(c.attr("duration")?.value ?? null);
    }
    expect(at).toBe(total);
    expect(frames((doc.get("//sequence") as XmlElement).attr("duration")?.value ?? null)).toBe(
      total,
    );
    // A transition stands between two shots: a dissolve, then a fade through black.
    expect(items.map((e) => e.name)).toEqual([
      "asset-clip",
      "transition",
      "asset-clip",
      "transition",
      "asset-clip",
      "asset-clip",
    ]);
    expect(items.filter((e) => e.name === "transition").map((e) => e.attr("name")?.value)).toEqual([
      "Cross Dissolve",
      "Fade To Color",
    ]);
    // The held shot stops on its last frame.
    const timepts = (clips[1]?.find("./timeMap/timept") ?? []) as XmlElement[];
    expect(timepts.map((t) => t.attr("value")?.value)).toEqual(["0s", "47/24s", "47/24s"]);
    doc.dispose();
  });

  it("puts the narration and the music on lanes under the picture", () => {
    const doc = XmlDocument.fromString(xml);
    const roles = (role: string) => doc.find(`//asset-clip[@audioRole="${role}"]`) as XmlElement[];
    expect(roles("dialogue").map((c) => [c.attr("name")?.value, c.attr("lane")?.value])).toEqual([
      ["Narration 2", "-1"],
      ["Narration 4", "-1"],
    ]);
    // The music file (3 s) loops under the whole cut.
    const music = roles("music");
    expect(music.every((c) => c.attr("lane")?.value === "-2")).toBe(true);
    expect(music.reduce((sum, c) => sum + frames(c.attr("duration")?.value ?? null), 0)).toBe(
      total,
    );
    doc.dispose();
  });

  it("escapes the project's name", () => {
    expect(xml).toContain('<event name="Harbour &amp; &lt;Lights&gt;">');
  });
});

interface OtioItem {
  OTIO_SCHEMA: string;
  name: string;
  source_range: {
    OTIO_SCHEMA: string;
    duration: { OTIO_SCHEMA: string; rate: number; value: number };
  };
  effects: { OTIO_SCHEMA: string }[];
  media_references: { DEFAULT_MEDIA: { target_url: string } };
  transition_type?: string;
}

describe("OpenTimelineIO", () => {
  const otio = JSON.parse(toOtio(cut));

  it("is a Timeline of a Stack of Tracks of Clips with external references", () => {
    expect(otio.OTIO_SCHEMA).toBe("Timeline.1");
    expect(otio.tracks.OTIO_SCHEMA).toBe("Stack.1");
    expect(
      otio.tracks.children.map((t: { name: string; kind: string }) => [t.name, t.kind]),
    ).toEqual([
      ["Video", "Video"],
      ["Narration", "Audio"],
      ["Music", "Audio"],
    ]);
  });

  it("lists every shot in order and lasts as long as the cut", () => {
    const video = otio.tracks.children[0].children as OtioItem[];
    const clips = video.filter((c) => c.OTIO_SCHEMA === "Clip.2");
    const shots = clips.filter((c) => !c.effects.length);
    expect(shots.map((c) => c.name)).toEqual(shotNames);
    expect(shots.map((c) => c.media_references.DEFAULT_MEDIA.target_url)).toEqual(
      cut.shots.map((s) => s.url),
    );
    for (const c of clips) {
      expect(c.source_range.OTIO_SCHEMA).toBe("TimeRange.1");
      expect(c.source_range.duration).toMatchObject({ OTIO_SCHEMA: "RationalTime.1", rate: 24 });
    }
    const length = clips.reduce((sum, c) => sum + c.source_range.duration.value, 0);
    expect(length).toBe(total);
    expect(
      video.filter((c) => c.OTIO_SCHEMA === "Transition.1").map((t) => t.transition_type),
    ).toEqual(["SMPTE_Dissolve", "Custom_Transition"]);
    // The hold is a frozen clip of the same file.
    expect(clips.find((c) => c.effects.length)?.effects[0]?.OTIO_SCHEMA).toBe("FreezeFrame.1");
  });

  it("places the narration where the cut speaks it", () => {
    const lane = otio.tracks.children[1].children as OtioItem[];
    let at = 0;
    const starts: number[] = [];
    for (const item of lane) {
      if (item.OTIO_SCHEMA === "Clip.2") starts.push(at);
      at += item.source_range.duration.value;
    }
    expect(starts).toEqual(cut.narration.map((n) => Math.round(n.start * cut.fps)));
  });
});

describe("CMX 3600 EDL", () => {
  const edl = toEdl(cut);
  const EVENT =
    /^(\d{3}) {2}(\S{1,8}) +V {5}(C|D) {3,4}(\d{3}| {3}) (\d\d:\d\d:\d\d:\d\d) (\d\d:\d\d:\d\d:\d\d) (\d\d:\d\d:\d\d:\d\d) (\d\d:\d\d:\d\d:\d\d)$/;
  const tcFrames = (tc: string) => {
    const [h, m, s, f] = tc.split(":").map(Number) as [number, number, number, number];
    return ((h * 60 + m) * 60 + s) * cut.fps + f;
  };

  it("has a title, a frame code mode and lines of the CMX 3600 grammar only", () => {
    const lines = edl.trimEnd().split("\n");
    expect(lines[0]).toBe("TITLE: Harbour & <Lights>");
    expect(lines[1]).toBe("FCM: NON-DROP FRAME");
    for (const line of lines.slice(3)) {
      expect(
        EVENT.test(line) ||
          /^\* (FROM CLIP NAME|SOURCE FILE): \S/.test(line) ||
          /^M2 {3}\S+ +000\.0 +\d\d:\d\d:\d\d:\d\d$/.test(line),
        line,
      ).toBe(true);
    }
  });

  it("lists every shot in order, record times end to end from 01:00:00:00", () => {
    const events = edl
      .split("\n")
      .map((l) => EVENT.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      // Zero-length lines only name the outgoing side of a transition.
      .filter((m) => m[7] !== m[8]);
    const reels = events.map((m) => m[2]).filter((r) => r !== "BL");
    expect([...new Set(reels)]).toEqual(["SHOT001", "SHOT002", "SHOT003", "SHOT004"]);
    let at = tcFrames("01:00:00:00");
    for (const m of events) {
      expect(tcFrames(m[7] as string)).toBe(at);
      // Source and record lengths agree.
      expect(tcFrames(m[6] as string) - tcFrames(m[5] as string)).toBe(
        tcFrames(m[8] as string) - tcFrames(m[7] as string),
      );
      at = tcFrames(m[8] as string);
    }
    expect(at - tcFrames("01:00:00:00")).toBe(total);
    // The dissolve and the fade (to and from black) with their lengths in frames.
    expect(events.filter((m) => m[3] === "D").map((m) => [m[2], m[4]])).toEqual([
      ["SHOT002", "012"],
      ["BL", "006"],
      ["SHOT003", "006"],
    ]);
  });
});

describe("downloads", () => {
  it("names the file after the project, with the format's extension and type", () => {
    expect(fileNameOf({ name: "Harbour & <Lights>", project_id: 7 }, "fcpxml")).toBe(
      "harbour-lights-7.fcpxml",
    );
    expect(fileNameOf({ name: "港口", project_id: 7 }, "srt")).toBe("project-7.srt");
    const vtt = renderExport(cut, "vtt");
    expect(vtt.contentType).toBe("text/vtt; charset=utf-8");
    expect(vtt.body.startsWith("WEBVTT\n")).toBe(true);
    expect(renderExport(cut, "srt").body).toContain("00:00:01,600 --> ");
  });
});
