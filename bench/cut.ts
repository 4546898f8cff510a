/**
 * The final cut, side by side in one run (issue 13's targets), printed as a table:
 * - a 20-clip cut with nothing to mix (stream copy of picture and sound, the stored probes
 *   used) against a bare `ffmpeg -f concat -c copy` of the same files, and the same cut when
 *   every clip is probed again (the old way);
 * - a 20-shot cut with narration and cuts only (picture copied, sound rendered) against
 *   rendering that soundtrack alone;
 * - a cut with dissolves: the encode's frames per second.
 * Clips are 8 s 1280x720 H.264/AAC like Veo's (with a quiet tone); speech is 3–6 s a shot.
 */
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stillToClip } from "../core/media/clip.ts";
import { composeFilm, type FilmShot, measureSpeech } from "../core/media/compose.ts";
import { type ClipInfo, ffmpeg, probe } from "../core/media/ffmpeg.ts";
import { renderSoundtrack } from "../core/media/soundtrack.ts";
import { planCut } from "../core/media/timeline.ts";
import { renderCard } from "../core/providers/offline/card.ts";

const SHOTS = 20;
const DISSOLVE_SHOTS = 8;
const RUNS = 5;
const target = { width: 1280, height: 720, fps: 24 };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
async function timed(fn: () => Promise<unknown>) {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}
const ms = (x: number) => (x < 1000 ? `${x.toFixed(0)} ms` : `${(x / 1000).toFixed(2)} s`);

async function main() {
  const dir = await mkdtemp(join(tmpdir(), "bench-cut-"));
  try {
    const still = join(dir, "still.png");
    await writeFile(
      still,
      renderCard({ width: 1280, height: 720, title: "cut", prompt: "", label: "BENCH", seed: "c" }),
    );
    const veo = join(dir, "veo.mp4");
    await stillToClip(still, veo, { width: 1280, height: 720, seconds: 8 });
    const paths = Array.from({ length: SHOTS }, (_, i) => join(dir, `clip-${i}.mp4`));
    await Promise.all(paths.map((p) => copyFile(veo, p)));
    // Probed once, as a shot video stores it when it is made.
    const info: ClipInfo = await probe(veo);
    // Speech stand-ins: pink noise in syllable-like bursts (a pure tone is an AAC worst case).
    const speech = await Promise.all(
      paths.map(async (_, i) => {
        const path = join(dir, `speech-${i}.wav`);
        await ffmpeg([
          ...["-f", "lavfi", "-i", `anoisesrc=d=${3 + (i % 4)}:c=pink:a=0.3:seed=${i + 1}`],
          ...["-af", "volume='0.2+0.8*gt(sin(2*PI*3*t)\\,0)':eval=frame", "-ar", "24000", path],
        ]);
        return path;
      }),
    );
    const shots = (withInfo: boolean, sound = false): FilmShot[] =>
      paths.map((path, i) => ({
        storyboard_id: i + 1,
        path,
        ...(withInfo ? { info } : {}),
        // The length comes with a narration clip (its provenance); the loudness is measured.
        ...(sound ? { sound: { speechPath: speech[i], speechSeconds: 3 + (i % 4) } } : {}),
      }));
    const options = (name: string) => ({
      out: join(dir, `${name}.mp4`),
      workDir: dir,
      target,
      loudnessLufs: -14,
    });
    const list = join(dir, "bare.txt");
    await writeFile(list, paths.map((p) => `file '${p}'`).join("\n"));

    // 1. Nothing to mix: the cut against a bare concat copy, interleaved, medians of 5.
    const bare: number[] = [];
    const cut: number[] = [];
    const reprobed: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      bare.push(
        await timed(() =>
          ffmpeg(["-f", "concat", "-safe", "0", "-i", list, "-c", "copy", join(dir, "bare.mp4")]),
        ),
      );
      cut.push(await timed(() => composeFilm(shots(true), options("silent"))));
      reprobed.push(await timed(() => composeFilm(shots(false), options("reprobed"))));
    }

    // 2. Narration, cuts only: the whole cut against the soundtrack alone, medians of 3.
    const narrated: number[] = [];
    const soundOnly: number[] = [];
    const plan = planCut(
      paths.map((_, i) => ({
        storyboard_id: i + 1,
        clipSeconds: info.video.duration ?? info.duration,
        speechSeconds: 3 + (i % 4),
      })),
      { fps: 24 },
    );
    let loudness: unknown;
    let method = "";
    for (let i = 0; i < 3; i++) {
      narrated.push(
        await timed(async () => {
          const r = await composeFilm(shots(true, true), options("narrated"));
          loudness = r.loudness;
          method = `${r.method} picture, ${r.sound} sound`;
        }),
      );
      // The same sound work as the cut's: measuring each speech clip, then the soundtrack.
      soundOnly.push(
        await timed(async () => {
          const levels = await measureSpeech(shots(true, true));
          await renderSoundtrack({
            plan,
            shots: paths.map((path, j) => ({
              path,
              hasAudio: true,
              speechPath: speech[j],
              speechLufs: levels[j]?.lufs,
            })),
            loudnessLufs: -14,
            workDir: dir,
          });
        }),
      );
    }

    // 3. Dissolves between every shot: one encode.
    const dissolved = await composeFilm(
      shots(true, true)
        .slice(0, DISSOLVE_SHOTS)
        .map((s) => ({ ...s, transition: "dissolve" as const })),
      options("dissolved"),
    );
    const frames = Math.round(dissolved.timeline.duration * target.fps);

    const rows: [string, string, string][] = [
      [`${SHOTS} × 8 s clips, nothing to mix (stored probes)`, ms(median(cut)), ""],
      ["bare ffmpeg -f concat -c copy of the same files", ms(median(bare)), ""],
      ["  ratio", (median(cut) / median(bare)).toFixed(2), "≤ 1.3"],
      [
        "  the same cut probing every clip again",
        ms(median(reprobed)),
        `${(median(reprobed) / median(bare)).toFixed(2)} ×`,
      ],
      [`${SHOTS} shots with narration, cuts only (${method})`, ms(median(narrated)), ""],
      ["the sound alone (speech levels, mix, two passes, measure)", ms(median(soundOnly)), ""],
      ["  ratio", (median(narrated) / median(soundOnly)).toFixed(2), "≤ 1.5"],
      ["  loudness measured on the output", JSON.stringify(loudness), "-14 LUFS, ≤ -1 dBTP"],
      [
        `${DISSOLVE_SHOTS} shots, dissolves (720p encode, ${frames} frames)`,
        `${(frames / dissolved.seconds.picture).toFixed(0)} fps`,
        `picture ${dissolved.seconds.picture.toFixed(1)} s, sound ${dissolved.seconds.sound.toFixed(1)} s`,
      ],
    ];
    const width = Math.max(...rows.map((r) => r[0].length));
    console.log("\nFinal cut (bench/cut.ts):");
    for (const [what, value, note] of rows) {
      console.log(`  ${what.padEnd(width)}  ${value.padStart(12)}  ${note}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
