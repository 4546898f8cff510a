import type { IncomingMessage } from "node:http";
import { AppError } from "../errors.ts";
import { REDIRECTS, pinnedRequest as send } from "./pinned-request.ts";
import { sniffType } from "./sniff.ts";
import { allowedAddress, parseUserUrl, shown, type UrlPolicyOptions } from "./url-policy.ts";

export { isPublicAddress } from "./address.ts";

export interface SafeFetchOptions extends UrlPolicyOptions {
  /** Default 20 MiB; checked against Content-Length and against the bytes actually received. */
  maxBytes?: number;
  /** For the whole fetch: DNS, every redirect and the body. Default 15 s. */
  timeoutMs?: number;
  /** Default 5. */
  maxRedirects?: number;
  /** What the bytes must be (sniffed, not taken from Content-Type). Default "image". */
  accept?: "image" | "video" | "any";
}

export interface FetchedFile {
  bytes: Uint8Array;
  /** The sniffed type when the bytes were recognised, so a lying server cannot choose it. */
  contentType: string;
  /** The URL after redirects. */
  finalUrl: string;
}

/** HEIF/AVIF images are ISO-BMFF files too; their `ftyp` must not pass as an MP4 video. */
const IMAGE_BRANDS = new Set(["avif", "avis", "heic", "heix", "heim", "heis", "mif1", "msf1"]);

async function readCapped(res: IncomingMessage, maxBytes: number, url: URL): Promise<Uint8Array> {
  const tooLarge = () =>
    new AppError(413, "remote_file_too_large", `${shown(url)} is larger than ${maxBytes} bytes`);
  // Refuse before downloading when the server says so; still count, since it may not say or lie.
  if (Number(res.headers["content-length"] ?? 0) > maxBytes) {
    res.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      res.destroy();
      throw tooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** The bytes decide, not the header: text/html sent as image/png is refused, octet-stream PNG kept. */
function checkType(bytes: Uint8Array, declared: string, accept: string, url: URL): string {
  let sniffed = sniffType(bytes);
  if (sniffed === "video/mp4" && IMAGE_BRANDS.has(String.fromCharCode(...bytes.subarray(8, 12)))) {
    sniffed = undefined;
  }
  if (accept === "any") return sniffed ?? (declared || "application/octet-stream");
  if (sniffed?.startsWith(accept === "video" ? "video/" : "image/")) return sniffed;
  const wanted = accept === "video" ? "an MP4 video" : "a PNG, JPEG, WebP or GIF image";
  throw new AppError(
    400,
    "unsupported_file_type",
    `${shown(url)} is not ${wanted} (the server said ${declared || "nothing"})`,
  );
}

const ACCEPT_HEADER = {
  image: "image/png, image/jpeg, image/webp, image/gif",
  video: "video/mp4",
  any: "*/*",
};

/** Node's connection error codes, in words a client can act on. */
function failure(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === "ECONNREFUSED") return "the connection was refused";
  if (code === "ECONNRESET") return "the connection was reset";
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return "the host is unreachable";
  if (code?.startsWith("ERR_TLS") || code?.includes("CERT")) return "its TLS certificate failed";
  return (error as Error).message || "unknown error";
}

/**
 * Fetches a user-supplied URL without letting it reach private networks (SSRF): http(s) only,
 * every resolved address checked and the connection pinned to it, every redirect re-checked,
 * size and time bounded, and the bytes must be what was asked for. Failures are AppErrors whose
 * detail shows scheme, host and path but never the query string.
 */
export async function safeFetch(raw: string, options: SafeFetchOptions = {}): Promise<FetchedFile> {
  const {
    maxBytes = 20 * 1024 * 1024,
    timeoutMs = 15_000,
    maxRedirects = 5,
    accept = "image",
  } = options;
  let url = parseUserUrl(raw, "URL", options.loc);
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    for (let hop = 0; ; hop++) {
      const address = await allowedAddress(url, options, signal);
      const res = await send(url, address, ACCEPT_HEADER[accept], signal);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (REDIRECTS.has(status) && location) {
        res.destroy(); // a redirect's body is never wanted
        if (hop >= maxRedirects) {
          throw new AppError(
            400,
            "too_many_redirects",
            `${shown(url)} redirects more than ${maxRedirects} times`,
          );
        }
        let next: string;
        try {
          next = new URL(location, url).href;
        } catch {
          throw new AppError(502, "url_fetch_failed", `${shown(url)} redirects to an invalid URL`);
        }
        url = parseUserUrl(next, `redirect target of ${shown(url)}`, options.loc);
        continue;
      }
      if (status < 200 || status >= 300) {
        res.destroy();
        throw new AppError(502, "url_fetch_failed", `${shown(url)} answered HTTP ${status}`);
      }
      const bytes = await readCapped(res, maxBytes, url);
      const contentType = checkType(bytes, res.headers["content-type"] ?? "", accept, url);
      return { bytes, contentType, finalUrl: url.href };
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (signal.aborted) {
      throw new AppError(504, "url_timeout", `${shown(url)} did not answer within ${timeoutMs} ms`);
    }
    throw new AppError(
      502,
      "url_fetch_failed",
      `${shown(url)} could not be fetched: ${failure(error)}`,
    );
  }
}
