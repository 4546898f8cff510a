import { lookup } from "node:dns/promises";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { config } from "../config.ts";
import { AppError } from "../errors.ts";
import { isPublicAddress } from "./address.ts";
import { sniffType } from "./sniff.ts";

export { isPublicAddress } from "./address.ts";

export interface SafeFetchOptions {
  /** Default 20 MiB; checked against Content-Length and against the bytes actually received. */
  maxBytes?: number;
  /** For the whole fetch: DNS, every redirect and the body. Default 15 s. */
  timeoutMs?: number;
  /** Default 5. */
  maxRedirects?: number;
  /** What the bytes must be (sniffed, not taken from Content-Type). Default "image". */
  accept?: "image" | "video" | "any";
  /** Lets loopback and private addresses through (local development); default ALLOW_PRIVATE_URLS. */
  allowPrivate?: boolean;
  /** DNS override, for tests; default every address `dns.lookup` returns. */
  resolve?: (hostname: string) => Promise<string[]>;
  /** Address policy override, for tests; replaces both isPublicAddress and allowPrivate. */
  isAllowedAddress?: (ip: string) => boolean;
}

export interface FetchedFile {
  bytes: Uint8Array;
  /** The sniffed type when the bytes were recognised, so a lying server cannot choose it. */
  contentType: string;
  /** The URL after redirects. */
  finalUrl: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** HEIF/AVIF images are ISO-BMFF files too; their `ftyp` must not pass as an MP4 video. */
const IMAGE_BRANDS = new Set(["avif", "avis", "heic", "heix", "heim", "heis", "mif1", "msf1"]);

/** Scheme, host and path only: query strings may carry signatures and tokens. */
const shown = (url: URL) => `${url.protocol}//${url.host}${url.pathname}`;

/** Only http(s) without credentials; the WHATWG parser also normalises 0x7f.1, 2130706433 etc. */
function parse(raw: string, what = "URL"): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    const text = raw.split(/[?#]/)[0]?.slice(0, 200);
    throw new AppError(422, "invalid_url", `The ${what} is not a valid URL: ${text}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new AppError(
      422,
      "invalid_url",
      `The ${what} must be http or https, not ${url.protocol.slice(0, 20)}`,
    );
  }
  if (url.username || url.password) {
    throw new AppError(422, "invalid_url", `The ${what} must not contain a user name or password`);
  }
  return url;
}

/** Settles with the promise, or rejects as soon as the signal fires (DNS has no signal of its own). */
function bounded<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const abort = () => reject(signal.reason);
    if (signal.aborted) return abort();
    signal.addEventListener("abort", abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}

/** Resolves the host and returns one address, after checking that every answer is allowed. */
async function checkedAddress(
  url: URL,
  options: SafeFetchOptions,
  signal: AbortSignal,
): Promise<string> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      const answer = options.resolve
        ? options.resolve(host)
        : lookup(host, { all: true }).then((all) => all.map((a) => a.address));
      addresses = await bounded(answer, signal);
    } catch (error) {
      if (signal.aborted) throw error; // reported as a timeout by safeFetch
      throw new AppError(502, "url_fetch_failed", `Could not resolve the host ${url.hostname}`);
    }
    if (addresses.length === 0) {
      throw new AppError(502, "url_fetch_failed", `The host ${url.hostname} has no addresses`);
    }
  }
  const allowPrivate = options.allowPrivate ?? config().ALLOW_PRIVATE_URLS;
  const allowed = options.isAllowedAddress ?? ((ip) => allowPrivate || isPublicAddress(ip));
  // One bad answer is enough: the resolver may hand out a different one on the next lookup.
  if (!addresses.every((ip) => allowed(ip))) {
    throw new AppError(
      400,
      "url_not_allowed",
      `${url.hostname} resolves to a non-public address; only public http(s) URLs are fetched (set ALLOW_PRIVATE_URLS=true for local development)`,
    );
  }
  return addresses[0] as string;
}

/** One HTTP exchange, connecting to exactly the checked address so DNS cannot change under us. */
function send(
  url: URL,
  address: string,
  accept: string,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const family = isIP(address);
  const pinned: LookupFunction = (_host, opts, callback) => {
    if ((opts as { all?: boolean }).all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    // The URL keeps the hostname for the Host header and TLS SNI; only the connect is pinned.
    const req = client.request(url, {
      lookup: pinned,
      // No pooled keep-alive socket: one opened elsewhere for the same host:port could lead to
      // an address this fetch never checked.
      agent: false,
      signal,
      headers: { "user-agent": "StoryboardStudio/1.0", accept },
    });
    req.once("response", resolve);
    req.once("error", reject);
    req.end();
  });
}

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
  let url = parse(raw);
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    for (let hop = 0; ; hop++) {
      const address = await checkedAddress(url, options, signal);
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
        url = parse(next, `redirect target of ${shown(url)}`);
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
