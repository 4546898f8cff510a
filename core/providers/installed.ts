import { type Config, config } from "../config.ts";
import type {
  ImageProvider,
  SpeechProvider,
  Storage,
  TextProvider,
  VideoProvider,
} from "./types.ts";

export interface Providers {
  text: TextProvider;
  image: ImageProvider;
  storage: Storage;
  video: VideoProvider;
  speech: SpeechProvider;
}

export type ProviderKind = keyof Providers;

let installed: Partial<Providers> = {};
const created = new Map<ProviderKind, Promise<unknown>>();

/**
 * The provider of one kind: an installed one, else the one the configuration selects, created on
 * first use (live where a key is set, offline otherwise). Each kind is created on its own, so a
 * request loads only the SDK of the kind it calls; a failed creation is retried next time.
 */
export function sharedProvider<K extends ProviderKind>(
  kind: K,
  create: (cfg: Config) => Promise<Providers[K]>,
): Promise<Providers[K]> {
  const own = installed[kind];
  if (own) return Promise.resolve(own);
  let pending = created.get(kind) as Promise<Providers[K]> | undefined;
  if (!pending) {
    const attempt = create(config());
    created.set(kind, attempt);
    attempt.catch(() => {
      if (created.get(kind) === attempt) created.delete(kind);
    });
    pending = attempt;
  }
  return pending;
}

/**
 * Tests and the local server install their own providers (e.g. live adapters pointed at fakes):
 * all kinds or some; the others come from the configuration. `undefined` forgets them all.
 */
export function useProviders(next: Partial<Providers> | undefined): void {
  installed = { ...next };
  created.clear();
}
