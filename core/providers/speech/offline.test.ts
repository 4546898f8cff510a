import { describe, expect, it } from "vitest";
import { probeAudio, rmsDb, tempFile } from "../../../test/support/audio.ts";
import { secondsOf, wavOf } from "../../speech/wav.ts";
import { espeakVoiceOf, offlineSpeech } from "./offline.ts";

const speech = offlineSpeech();
const speak = (text: string, voice = "Kore") => speech.speak({ text, voice });

describe("offline speech (espeak-ng WASM)", () => {
  it("is real, audible speech whose length ffprobe agrees with, labelled offline", async () => {
    const said = await speak("The lighthouse keeper climbs the stairs at dawn.");
    expect(said).toMatchObject({ provider: "offline", model: "espeak-ng-1.0.2" });
    expect(said.value.sampleRate).toBe(22_050);
    const path = await tempFile("line.wav", wavOf(said.value));
    const probed = await probeAudio(path);
    expect(probed).toMatchObject({ codec: "pcm_s16le", sampleRate: 22_050, channels: 1 });
    expect(probed.duration).toBeCloseTo(secondsOf(said.value), 2);
    expect(probed.duration).toBeGreaterThan(1.5);
    // Speech, not silence: well above the -40 dBFS floor the clip measurer treats as quiet.
    expect(await rmsDb(path)).toBeGreaterThan(-30);
    // The measure itself can fail: silence of the same length reads as silence.
    const quiet = { pcm: new Uint8Array(said.value.pcm.length), sampleRate: 22_050 };
    expect(await rmsDb(await tempFile("quiet.wav", wavOf(quiet)))).toBe(Number.NEGATIVE_INFINITY);
  });

  it("takes longer to say more", async () => {
    const short = await speak("Hello.");
    const long = await speak("Hello. The storm has passed, and the boats are back in the harbour.");
    expect(secondsOf(long.value)).toBeGreaterThan(secondsOf(short.value) * 2);
  });

  it("is deterministic: the same text and voice give the same bytes; another voice differs", async () => {
    const a = await speak("Same words, same voice.", "Puck");
    const b = await speak("Same words, same voice.", "Puck");
    const c = await speak("Same words, same voice.", "Kore");
    expect(Buffer.from(a.value.pcm).equals(Buffer.from(b.value.pcm))).toBe(true);
    expect(Buffer.from(a.value.pcm).equals(Buffer.from(c.value.pcm))).toBe(false);
  });

  it("speaks Chinese text with the Mandarin voice, and never reads text as options", async () => {
    expect(espeakVoiceOf("你好，世界", "Kore")).toMatch(/^cmn\+/);
    expect(espeakVoiceOf("Hello", "Kore")).toMatch(/^en-us\+/);
    const zh = await speak("灯塔守护者在黎明时爬上楼梯。");
    expect(await rmsDb(await tempFile("zh.wav", wavOf(zh.value)))).toBeGreaterThan(-30);
    // Text that looks like command-line options is spoken, not obeyed.
    const dashed = await speak("--help -v xx");
    expect(secondsOf(dashed.value)).toBeGreaterThan(0.5);
  });
});
