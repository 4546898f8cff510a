import { type CutPlan, edgesOf } from "./timeline.ts";

/** The soundtrack's sample rate: every layer is brought to it, so segments add up exactly. */
export const SAMPLE_RATE = 48_000;

/**
 * The mix, in one place. Every speech clip is first brought to one loudness, so voices from
 * different calls and speakers sound alike and the ducking is the same in every shot. Music sits
 * under the clips' own sound; both are ducked under speech by a compressor keyed on the speech
 * (about 12 dB at that loudness), released slowly enough not to pump between words. The whole
 * mix is normalised to the project's loudness afterwards.
 */
export const MIX = {
  speechLufs: -20,
  musicLevel: 0.3,
  musicFadeInSeconds: 1.5,
  musicFadeOutSeconds: 2,
  duck: "threshold=0.02:ratio=8:attack=20:release=400",
} as const;

export interface SoundShot {
  /** The shot's clip on disk. */
  path: string;
  hasAudio: boolean;
  /** Its narration or dialogue, placed at the shot's start. */
  speechPath?: string;
  /** The speech's measured integrated loudness, to bring it to `MIX.speechLufs`. */
  speechLufs?: number;
}

export interface SoundGraph {
  /** ffmpeg input arguments, in input order. */
  inputs: string[];
  filters: string[];
  /** The label of the mixed stereo stream. */
  out: string;
}

const FORMAT = `aformat=sample_fmts=fltp:sample_rates=${SAMPLE_RATE}:channel_layouts=stereo`;

/**
 * The soundtrack as one filter graph, cut exactly like the picture (timeline.ts):
 * - bed: each clip's own sound, cut at its video's end and padded with silence through a hold,
 *   faded where the cut fades through black, split at a dissolve into head/body/tail with the
 *   outgoing tail and incoming head joined by `acrossfade`, all segments concatenated;
 * - music (looped by the input, trimmed to the film, faded in and out) summed under the bed;
 * - speech: each shot's clip padded to the shot's own span, concatenated into one track that
 *   keys `sidechaincompress` on the bed and music and is summed over them.
 * Every length is a whole number of samples derived from frame boundaries, so the sound ends on
 * the picture's last frame however many shots there are.
 */
export function soundGraph(plan: CutPlan, shots: SoundShot[], musicPath?: string): SoundGraph {
  const at = (frame: number) => Math.round((frame * SAMPLE_RATE) / plan.fps);
  const inputs: string[] = [];
  const filters: string[] = [];
  let inputCount = 0;
  const input = (args: string[]) => {
    inputs.push(...args);
    return inputCount++;
  };
  const bed: string[] = [];
  let pendingTail: string | undefined;
  for (const [i, p] of plan.shots.entries()) {
    const shot = shots[i] as SoundShot;
    const e = edgesOf(plan, i);
    const start = at(p.startFrame);
    const length = at(p.startFrame + p.frames) - start;
    const clip = at(p.startFrame + p.clipFrames) - start;
    const head = at(p.startFrame + e.head) - start;
    const tail = length - (at(p.startFrame + p.frames - e.tail) - start);
    const chain = [
      ...(shot.hasAudio
        ? [`[${input(["-vn", "-i", shot.path])}:a]aresample=${SAMPLE_RATE}:first_pts=0`, FORMAT]
        : [`anullsrc=r=${SAMPLE_RATE}:cl=stereo`, FORMAT]),
      `atrim=end_sample=${clip}`,
      `apad=whole_len=${length}`,
      `atrim=end_sample=${length}`,
      "asetpts=N/SR/TB",
    ];
    if (e.fadeIn) chain.push(`afade=t=in:ss=0:ns=${at(p.startFrame + e.fadeIn) - start}`);
    if (e.fadeOut) {
      const from = at(p.startFrame + p.frames - e.fadeOut) - start;
      chain.push(`afade=t=out:ss=${from}:ns=${length - from}`);
    }
    const parts = [head && "h", "b", tail && "t"].filter(Boolean) as string[];
    const label = (part: string) => `s${i}${part}`;
    filters.push(
      `${chain.join(",")}${parts.length > 1 ? `,asplit=${parts.length}` : ""}${parts.map((x) => `[${label(x)}]`).join("")}`,
    );
    const cut = (part: string, from: number, to: number, out: string) =>
      filters.push(
        `[${label(part)}]atrim=start_sample=${from}:end_sample=${to},asetpts=PTS-STARTPTS[${out}]`,
      );
    if (head) {
      cut("h", 0, head, `x${i}h`);
      filters.push(`[${pendingTail}][x${i}h]acrossfade=ns=${head}:c1=tri:c2=tri[j${i}]`);
      bed.push(`[j${i}]`);
    }
    if (parts.length > 1) cut("b", head, length - tail, `x${i}b`);
    bed.push(parts.length > 1 ? `[x${i}b]` : `[${label("b")}]`);
    if (tail) {
      cut("t", length - tail, length, `x${i}t`);
      pendingTail = `x${i}t`;
    }
  }
  const total = at(plan.frames);
  filters.push(
    bed.length > 1 ? `${bed.join("")}concat=n=${bed.length}:v=0:a=1[bed]` : `${bed[0]}anull[bed]`,
  );
  let under = "bed";
  if (musicPath) {
    const m = input(["-stream_loop", "-1", "-i", musicPath]);
    const seconds = total / SAMPLE_RATE;
    const fadeIn = Math.min(MIX.musicFadeInSeconds, seconds / 4);
    const fadeOut = Math.min(MIX.musicFadeOutSeconds, seconds / 4);
    filters.push(
      `[${m}:a]aresample=${SAMPLE_RATE},${FORMAT},atrim=end_sample=${total},asetpts=N/SR/TB,` +
        `afade=t=in:d=${fadeIn.toFixed(3)},afade=t=out:st=${(seconds - fadeOut).toFixed(3)}:d=${fadeOut.toFixed(3)}[music]`,
      `[bed][music]amerge=inputs=2,pan=stereo|c0=c0+${MIX.musicLevel}*c2|c1=c1+${MIX.musicLevel}*c3[under]`,
    );
    under = "under";
  }
  if (!shots.some((s) => s.speechPath)) return { inputs, filters, out: under };
  // Speech: each shot's span in the output (up to where the next shot starts) holds its speech.
  const speech = plan.shots.map((p, i) => {
    const next = plan.shots[i + 1];
    const span = at(next ? next.startFrame : plan.frames) - at(p.startFrame);
    const { speechPath: path, speechLufs } = shots[i] as SoundShot;
    const gain = Number.isFinite(speechLufs) ? MIX.speechLufs - (speechLufs as number) : 0;
    const source = path
      ? `[${input(["-i", path])}:a]aresample=${SAMPLE_RATE}:first_pts=0,${FORMAT},volume=${gain.toFixed(2)}dB`
      : `anullsrc=r=${SAMPLE_RATE}:cl=stereo,${FORMAT}`;
    filters.push(
      `${source},apad=whole_len=${span},atrim=end_sample=${span},asetpts=N/SR/TB[v${i}]`,
    );
    return `[v${i}]`;
  });
  filters.push(
    `${speech.join("")}concat=n=${speech.length}:v=0:a=1,asplit=2[speech][key]`,
    `[${under}][key]sidechaincompress=${MIX.duck}[ducked]`,
    "[ducked][speech]amerge=inputs=2,pan=stereo|c0=c0+c2|c1=c1+c3[mix]",
  );
  return { inputs, filters, out: "mix" };
}
