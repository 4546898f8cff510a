import http, { type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";

/** Statuses that carry a Location to follow (each hop is checked again by the caller). */
export const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** What one exchange sends: a GET with these headers unless it says otherwise. */
export interface PinnedOutgoing {
  method?: "GET" | "POST";
  headers: OutgoingHttpHeaders;
  body?: string;
}

/**
 * One HTTP exchange, connecting to exactly the checked address so DNS cannot change under us.
 * The caller reads (or streams) the body.
 */
export function pinnedExchange(
  url: URL,
  address: string,
  signal: AbortSignal,
  outgoing: PinnedOutgoing,
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
      method: outgoing.method ?? "GET",
      lookup: pinned,
      // No pooled keep-alive socket: one opened elsewhere for the same host:port could lead to
      // an address this fetch never checked.
      agent: false,
      signal,
      headers: { "user-agent": "StoryboardStudio/1.0", ...outgoing.headers },
    });
    req.once("response", resolve);
    req.once("error", reject);
    req.end(outgoing.body);
  });
}

/** A pinned GET that accepts `accept` (a fetch or a download, one hop at a time). */
export const pinnedRequest = (url: URL, address: string, accept: string, signal: AbortSignal) =>
  pinnedExchange(url, address, signal, { headers: { accept } });
