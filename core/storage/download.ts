import { createReadStream, createWriteStream } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { AppError } from "../errors.ts";
import { REDIRECTS, pinnedRequest as send } from "../net/pinned-request.ts";
import { sniffType } from "../net/sniff.ts";
import { allowedAddress, parseUserUrl, shown, type UrlPolicyOptions } from "../net/url-policy.ts";
import { localKeyOf, localPath } from "./local.ts";

export interface DownloadOptions extends Omit<UrlPolicyOptions, "loc"> {
  /** What the bytes must be (sniffed from the first bytes, not taken from Content-Type). */
  accept: "image" | "video" | "audio";
  /** Checked against Content-Length and against the bytes actually received. */
  maxBytes: number;
  /** For the whole download: DNS, every redirect and the body. Default 120 s. */
  timeoutMs?: number;
  /** Default 5. */
  maxRedirects?: number;
  /** Bytes written so far, and the total when the server said it. */
  onProgress?: (receivedBytes: number, totalBytes?: number) => void;
}

export interface DownloadedFile {
  sizeBytes: number;
  contentType: string;
}

/**
 * Streams a file to `destination` without ever holding it whole in memory: one of our own stored
 * files is copied from local storage, any other URL is fetched under the same rules as
 * `safeFetch` (`core/net/url-policy.ts`: http(s) only, every resolved address checked; the
 * connection pinned to it, redirects re-checked, size and time bounded, the bytes must be what was
 * asked for). On failure nothing is left at `destination`.
 */
export async function downloadToFile(
  url: string,
  destination: string,
  options: DownloadOptions,
): Promise<DownloadedFile> {
  try {
    const key = localKeyOf(url);
    return key === undefined
      ? await fetchToFile(url, destination, options)
      : await copyStored(key, url, destination, options);
  } catch (error) {
    await rm(destination, { force: true });
    throw error;
  }
}

const tooLarge = (what: string, maxBytes: number) =>
  new AppError(413, "remote_file_too_large", `${what} is larger than ${maxBytes} bytes`);

async function copyStored(key: string, url: string, destination: string, o: DownloadOptions) {
  const path = localPath(key);
  const size = await stat(path).then(
    (s) => s.size,
    () => {
      throw new AppError(400, "file_missing", `Stored file ${url} no longer exists`);
    },
  );
  if (size > o.maxBytes) throw tooLarge(url, o.maxBytes);
  return write(createReadStream(path), destination, url, "", size, o);
}

/** HEIF/AVIF images are ISO-BMFF files too; their `ftyp` must not pass as an MP4 video. */
const IMAGE_BRANDS = new Set(["avif", "avis", "heic", "heix", "heim", "heis", "mif1", "msf1"]);

function typeOf(
  head: Uint8Array,
  declared: string,
  accept: DownloadOptions["accept"],
  what: string,
) {
  let sniffed = sniffType(head);
  if (sniffed === "video/mp4" && IMAGE_BRANDS.has(String.fromCharCode(...head.subarray(8, 12)))) {
    sniffed = undefined;
  }
  if (sniffed?.startsWith(`${accept}/`)) return sniffed;
  // Sound may come in an MP4 container (M4A).
  if (accept === "audio" && sniffed === "video/mp4") return sniffed;
  const wanted = {
    video: "an MP4 video",
    image: "a PNG, JPEG, WebP or GIF image",
    audio: "a WAV, MP3, M4A, Ogg or FLAC sound file",
  }[accept];
  throw new AppError(
    400,
    "unsupported_file_type",
    `${what} is not ${wanted} (the server said ${declared || "nothing"})`,
  );
}

/** Copies `source` to the file, counting bytes against the cap and sniffing the first ones. */
async function write(
  source: Readable,
  destination: string,
  what: string,
  declared: string,
  total: number | undefined,
  o: DownloadOptions,
): Promise<DownloadedFile> {
  let size = 0;
  let head = Buffer.alloc(0);
  let contentType: string | undefined;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > o.maxBytes) return done(tooLarge(what, o.maxBytes));
      try {
        if (contentType === undefined && head.length < 16) {
          head = Buffer.concat([head, chunk.subarray(0, 16 - head.length)]);
          // Refuse an HTML error page at its first bytes, not after downloading all of it.
          if (head.length >= 12) contentType = typeOf(head, declared, o.accept, what);
        }
        o.onProgress?.(size, total);
      } catch (error) {
        return done(error as Error);
      }
      done(null, chunk);
    },
    flush(done) {
      try {
        contentType ??= typeOf(head, declared, o.accept, what);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
  await pipeline(source, meter, createWriteStream(destination));
  return { sizeBytes: size, contentType: contentType as string };
}

const ACCEPT = {
  image: "image/png, image/jpeg, image/webp, image/gif",
  video: "video/mp4",
  audio: "audio/*, video/mp4",
};

async function fetchToFile(raw: string, destination: string, o: DownloadOptions) {
  const { timeoutMs = 120_000, maxRedirects = 5 } = o;
  let url = parseUserUrl(raw);
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    for (let hop = 0; ; hop++) {
      const res = await send(url, await allowedAddress(url, o, signal), ACCEPT[o.accept], signal);
      const status = res.statusCode ?? 0;
      if (REDIRECTS.has(status) && res.headers.location) {
        res.destroy();
        if (hop >= maxRedirects) {
          throw new AppError(400, "too_many_redirects", `${shown(url)} redirects too often`);
        }
        let next: URL;
        try {
          next = new URL(res.headers.location, url);
        } catch {
          throw new AppError(502, "url_fetch_failed", `${shown(url)} redirects to an invalid URL`);
        }
        url = parseUserUrl(next.href, `redirect target of ${shown(url)}`);
        continue;
      }
      if (status < 200 || status >= 300) {
        res.destroy();
        throw new AppError(502, "url_fetch_failed", `${shown(url)} answered HTTP ${status}`);
      }
      const length = Number(res.headers["content-length"]) || undefined;
      // Refuse before downloading when the server says so; still count, since it may not say or lie.
      if (length !== undefined && length > o.maxBytes) {
        res.destroy();
        throw tooLarge(shown(url), o.maxBytes);
      }
      return await write(
        res,
        destination,
        shown(url),
        res.headers["content-type"] ?? "",
        length,
        o,
      );
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (signal.aborted) {
      throw new AppError(504, "url_timeout", `${shown(url)} did not answer within ${timeoutMs} ms`);
    }
    const reason = (error as { code?: string }).code ?? (error as Error).message;
    throw new AppError(502, "url_fetch_failed", `${shown(url)} could not be fetched: ${reason}`);
  }
}
