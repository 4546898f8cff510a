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
  maxBytes?: number;
  /** For the whole fetch, redirects included. */
  timeoutMs?: number;
  maxRedirects?: number;
  accept?: "image" | "video" | "any";
  /** Lifts the address check (local development); default ALLOW_PRIVATE_URLS. */
  allowPrivate?: boolean;
  /** DNS override, for tests. */
  resolve?: (hostname: string) => Promise<string[]>;
  /** Address policy override, for tests. */
  isAllowedAddress?: (ip: string) => boolean;
}

export interface FetchedFile {
  bytes: Uint8Array;
  contentType: string;
  finalUrl: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Scheme, host and path only: query strings may carry signatures and tokens. */
const shown = (url: URL) => `${url.protocol}//${url.host}${url.pathname}`;

function parse(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError(422, "invalid_url", `Not a valid URL: ${raw.slice(0, 200)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new AppError(
      422,
      "invalid_url",
      `Only http and https URLs are fetched, not ${url.protocol}`,
    );
  }
  if (url.username || url.password) {
    throw new AppError(422, "invalid_url", "URLs with credentials are not fetched");
  }
  return url;
}

/** Resolves the host and returns one address, after checking that every answer is allowed. */
async function checkedAddress(url: URL, options: SafeFetchOptions): Promise<string> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = options.resolve
        ? await options.resolve(host)
        : (await lookup(host, { all: true })).map((a) => a.address);
    } catch {
      throw new AppError(502, "url_fetch_failed", `Could not resolve ${url.host}`);
    }
  }
  const allowed =
    options.isAllowedAddress ??
    ((ip: string) => (options.allowPrivate ?? config().ALLOW_PRIVATE_URLS) || isPublicAddress(ip));
  if (addresses.length === 0 || !addresses.every(allowed)) {
    throw new AppError(
      400,
      "url_not_allowed",
      `${url.host} resolves to a non-public address; only public http(s) URLs are fetched (ALLOW_PRIVATE_URLS=true allows them for local development)`,
    );
  }
  return addresses[0] as string;
}

/** One HTTP exchange, connecting to exactly the checked address so DNS cannot change under us. */
function send(url: URL, address: string, signal: AbortSignal): Promise<IncomingMessage> {
  const family = isIP(address);
  const pinned: LookupFunction = (_host, opts, callback) => {
    if ((opts as { all?: boolean }).all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      lookup: pinned,
      signal,
      headers: {
        "user-agent": "StoryboardStudio/1.0",
        accept: "image/*, video/mp4;q=0.9, */*;q=0.1",
      },
    });
    req.once("response", resolve);
    req.once("error", reject);
    req.end();
  });
}

async function readCapped(res: IncomingMessage, maxBytes: number, url: URL): Promise<Uint8Array> {
  const tooLarge = () =>
    new AppError(413, "remote_file_too_large", `${shown(url)} is larger than ${maxBytes} bytes`);
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

function checkType(
  bytes: Uint8Array,
  declared: string,
  accept: SafeFetchOptions["accept"],
  url: URL,
) {
  const sniffed = sniffType(bytes);
  if (accept === "any") return sniffed ?? declared;
  const wanted = accept === "video" ? "video/" : "image/";
  if (!sniffed?.startsWith(wanted)) {
    throw new AppError(
      400,
      "unsupported_file_type",
      `${shown(url)} is not ${accept === "video" ? "an MP4 video" : "a PNG, JPEG, WebP or GIF image"} (server said ${declared || "nothing"})`,
    );
  }
  return sniffed;
}

/**
 * Fetches a user-supplied URL without letting it reach private networks (SSRF): http(s) only,
 * every resolved address checked and pinned, every redirect re-checked, size and time bounded,
 * and the bytes must be what was asked for. Failures are AppErrors with a clear detail.
 */
export async function safeFetch(raw: string, options: SafeFetchOptions = {}): Promise<FetchedFile> {
  const {
    maxBytes = 20 * 1024 * 1024,
    timeoutMs = 15_000,
    maxRedirects = 5,
    accept = "image",
  } = options;
  const signal = AbortSignal.timeout(timeoutMs);
  let url = parse(raw);
  try {
    for (let hop = 0; ; hop++) {
      const address = await checkedAddress(url, options);
      const res = await send(url, address, signal);
      const status = res.statusCode ?? 0;
      if (REDIRECTS.has(status) && res.headers.location) {
        res.resume();
        if (hop >= maxRedirects) {
          throw new AppError(
            400,
            "too_many_redirects",
            `${shown(url)} redirects more than ${maxRedirects} times`,
          );
        }
        url = parse(new URL(res.headers.location, url).href);
        continue;
      }
      if (status < 200 || status >= 300) {
        res.resume();
        throw new AppError(502, "url_fetch_failed", `${shown(url)} answered HTTP ${status}`);
      }
      const bytes = await readCapped(res, maxBytes, url);
      const contentType = checkType(bytes, String(res.headers["content-type"] ?? ""), accept, url);
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
      `${shown(url)} could not be fetched: ${(error as Error).message}`,
    );
  }
}
