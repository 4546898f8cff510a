import { isIP } from "node:net";
import { config } from "../config.ts";
import { AppError, type FieldError } from "../errors.ts";
import { isPublicAddress } from "./address.ts";
import { isNameNotFound, type Resolver, resolveHost } from "./resolve.ts";

/**
 * The rules every user-supplied URL follows, shared by the check at submit time
 * (`checkUserUrl`) and the fetch itself (`safeFetch`), so the two can never disagree.
 */
export interface UrlPolicyOptions {
  /** Lets loopback and private addresses through (local development); default ALLOW_PRIVATE_URLS. */
  allowPrivate?: boolean;
  /** DNS override, for tests; default `resolveHost`. */
  resolve?: Resolver;
  /** Address policy override, for tests; replaces both isPublicAddress and allowPrivate. */
  isAllowedAddress?: (ip: string) => boolean;
  /** Where the URL came from in the request (e.g. `["body", "image_url"]`), for `errors[].loc`. */
  loc?: FieldError["loc"];
}

/** Scheme, host and path only: query strings may carry signatures and tokens. */
export const shown = (url: URL) => `${url.protocol}//${url.host}${url.pathname}`;

/** A refusal of the URL itself: always 422, with the field it came from when known. */
function refused(code: string, detail: string, loc?: FieldError["loc"]): AppError {
  return new AppError(422, code, detail, loc ? [{ loc, msg: detail, type: code }] : undefined);
}

/** Only http(s) without credentials; the WHATWG parser also normalises 0x7f.1, 2130706433 etc. */
export function parseUserUrl(raw: string, what = "URL", loc?: FieldError["loc"]): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    const text = raw.split(/[?#]/)[0]?.slice(0, 200);
    throw refused("invalid_url", `The ${what} is not a valid URL: ${text}`, loc);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw refused(
      "invalid_url",
      `The ${what} must be http or https, not ${url.protocol.slice(0, 20)}`,
      loc,
    );
  }
  if (url.username || url.password) {
    throw refused("invalid_url", `The ${what} must not contain a user name or password`, loc);
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

/**
 * Resolves the host and returns one address, after checking that every answer is allowed.
 * A name that does not exist is the user's mistake (422 `url_unresolvable`); a DNS failure is ours.
 */
export async function allowedAddress(
  url: URL,
  options: UrlPolicyOptions,
  signal: AbortSignal,
): Promise<string> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = await bounded((options.resolve ?? resolveHost)(host), signal);
    } catch (error) {
      if (signal.aborted) throw error; // the caller reports its own timeout
      if (isNameNotFound(error)) {
        throw refused(
          "url_unresolvable",
          `The host ${url.hostname} does not exist (DNS has no such name); check the URL`,
          options.loc,
        );
      }
      throw new AppError(
        502,
        "url_fetch_failed",
        `Could not resolve the host ${url.hostname} right now; try again`,
      );
    }
    if (addresses.length === 0) {
      throw refused(
        "url_unresolvable",
        `The host ${url.hostname} has no addresses; check the URL`,
        options.loc,
      );
    }
  }
  const allowPrivate = options.allowPrivate ?? config().ALLOW_PRIVATE_URLS;
  const allowed = options.isAllowedAddress ?? ((ip) => allowPrivate || isPublicAddress(ip));
  // One bad answer is enough: the resolver may hand out a different one on the next lookup.
  if (!addresses.every((ip) => allowed(ip))) {
    throw refused(
      "url_not_allowed",
      `${url.hostname} is or resolves to a non-public address (loopback, private, link-local or cloud metadata); only public http(s) URLs are accepted (set ALLOW_PRIVATE_URLS=true for local development)`,
      options.loc,
    );
  }
  return addresses[0] as string;
}
