import { type Config, config } from "../config.ts";
import { AppError, type FieldError } from "../errors.ts";
import { localKeyOf, localPath } from "../storage/local.ts";
import { allowedAddress, parseUserUrl, type UrlPolicyOptions } from "./url-policy.ts";

/** DNS at submit time is a quick answer or none: the fetch later has its own, longer budget. */
const SUBMIT_DNS_TIMEOUT_MS = 5_000;

const withScheme = (host: string) => (/^https?:\/\//i.test(host) ? host : `https://${host}`);

/**
 * URLs of this deployment's own storage: local files under `${PUBLIC_BASE_URL}/files/` (read from
 * disk, never fetched) or the Qiniu domain. They are ours, so their host is not checked: the
 * local server lives on loopback.
 */
function isOwnStorage(url: URL, raw: string, cfg: Config): boolean {
  if (cfg.qiniuEnabled) {
    try {
      return url.host === new URL(withScheme(cfg.QINIU_DOMAIN as string)).host;
    } catch {
      return false; // a malformed QINIU_DOMAIN trusts nothing
    }
  }
  const key = localKeyOf(raw, cfg);
  if (key === undefined) return false;
  localPath(key, cfg); // throws 422 invalid_key for keys that would leave the files directory
  return true;
}

/**
 * Refuses a user-supplied URL when it is submitted, with the rules the fetch applies later:
 * http(s) only, no user name or password, and a host that resolves (422 `url_unresolvable`) to
 * public addresses only (422 `url_not_allowed`, unless ALLOW_PRIVATE_URLS). Nothing is fetched.
 */
export async function checkUserUrl(
  raw: string,
  loc: FieldError["loc"],
  options: UrlPolicyOptions = {},
): Promise<void> {
  const cfg = config();
  const url = parseUserUrl(raw, "URL", loc);
  if (isOwnStorage(url, raw, cfg)) return;
  const signal = AbortSignal.timeout(SUBMIT_DNS_TIMEOUT_MS);
  try {
    await allowedAddress(url, { ...options, loc }, signal);
  } catch (error) {
    if (!signal.aborted || error instanceof AppError) throw error;
    throw new AppError(
      502,
      "url_fetch_failed",
      `Could not resolve the host ${url.hostname} within ${SUBMIT_DNS_TIMEOUT_MS} ms; try again`,
    );
  }
}

/** Checks every URL of a list field at once; the first refusal (in list order) is reported. */
export async function checkUserUrls(
  urls: string[],
  field: FieldError["loc"],
  options: UrlPolicyOptions = {},
): Promise<void> {
  const results = await Promise.allSettled(
    urls.map((url, i) => checkUserUrl(url, [...field, i], options)),
  );
  const failed = results.find((r) => r.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
}
