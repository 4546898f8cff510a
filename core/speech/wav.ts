/** WAV files of PCM s16le mono: what providers' speech is wrapped into and read from. */

export interface Pcm {
  /** Signed 16-bit little-endian samples, mono. */
  pcm: Uint8Array;
  sampleRate: number;
}

/** A 44-byte RIFF/WAVE header in front of the samples. */
export function wavOf({ pcm, sampleRate }: Pcm): Uint8Array {
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "ascii");
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write("WAVE", 8, "ascii");
  header.write("fmt ", 12, "ascii");
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36, "ascii");
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}

/**
 * The samples of a WAV file of PCM s16 mono (what espeak-ng writes and some TTS models answer).
 * Walks the chunks, so extra ones (LIST, fact) are skipped; a data size left at its streaming
 * placeholder is read to the end of the file.
 */
export function readWav(bytes: Uint8Array): Pcm {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (
    buf.length < 12 ||
    buf.toString("ascii", 0, 4) !== "RIFF" ||
    buf.toString("ascii", 8, 12) !== "WAVE"
  )
    throw new Error("not a WAV file");
  let offset = 12;
  let format: { channels: number; rate: number; bits: number; code: number } | undefined;
  while (offset + 8 <= buf.length) {
    const id = buf.toString("ascii", offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === "fmt ") {
      format = {
        code: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        rate: buf.readUInt32LE(body + 4),
        bits: buf.readUInt16LE(body + 14),
      };
    } else if (id === "data") {
      if (format?.code !== 1 || format.channels !== 1 || format.bits !== 16)
        throw new Error("WAV is not PCM s16 mono");
      const end = Math.min(buf.length, body + size);
      // Whole samples only.
      const data = buf.subarray(body, end - ((end - body) % 2));
      return { pcm: new Uint8Array(data), sampleRate: format.rate };
    }
    offset = body + size + (size % 2);
  }
  throw new Error("WAV has no data chunk");
}

/** The length of PCM s16 mono in seconds. */
export const secondsOf = ({ pcm, sampleRate }: Pcm): number => pcm.length / 2 / sampleRate;
