import type { Config } from "../config.ts";
import { createStorage } from "../storage/index.ts";
import { createImageProvider } from "./image/index.ts";
import type { Providers } from "./installed.ts";
import { createSpeechProvider } from "./speech/index.ts";
import { createTextProvider } from "./text/index.ts";
import { createVideoProvider } from "./video/index.ts";

export { type ProviderKind, type Providers, useProviders } from "./installed.ts";

/**
 * Every kind the configuration selects, at once: for tests and the bench, which install a whole
 * set. Application code asks for one kind (`textProvider()` from ./text/index.ts, …) so it loads
 * only that kind's SDK; importing this module reaches all of them.
 */
export async function createProviders(cfg: Config): Promise<Providers> {
  const text = await createTextProvider(cfg);
  const image = await createImageProvider(cfg);
  const storage = await createStorage(cfg);
  const video = await createVideoProvider(cfg);
  const speech = await createSpeechProvider(cfg);
  return { text, image, storage, video, speech };
}
