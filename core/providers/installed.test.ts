import { afterEach, describe, expect, it } from "vitest";
import { resetConfig } from "../config.ts";
import { storageProvider } from "../storage/index.ts";
import { imageProvider } from "./image/index.ts";
import { sharedProvider, useProviders } from "./installed.ts";
import { textProvider } from "./text/index.ts";
import type { TextProvider } from "./types.ts";

afterEach(() => useProviders(undefined));

describe("providers, one kind at a time", () => {
  it("creates each kind on its first use only, once", async () => {
    resetConfig();
    useProviders(undefined);
    const created: string[] = [];
    const make = (kind: "text" | "image") =>
      sharedProvider(kind, async () => {
        created.push(kind);
        return (kind === "text" ? { name: "t" } : { name: "i" }) as never;
      });
    await Promise.all([make("text"), make("text")]);
    expect(created).toEqual(["text"]);
    await make("image");
    expect(created).toEqual(["text", "image"]);
  });

  it("retries a kind whose creation failed", async () => {
    useProviders(undefined);
    let tries = 0;
    const make = () =>
      sharedProvider("video", async () => {
        tries++;
        if (tries === 1) throw new Error("no credentials yet");
        return { name: "v" } as never;
      });
    await expect(make()).rejects.toThrow("no credentials yet");
    await expect(make()).resolves.toEqual({ name: "v" });
    expect(tries).toBe(2);
  });

  it("serves an installed kind and creates the others from the configuration", async () => {
    resetConfig();
    const text = { name: "installed" } as unknown as TextProvider;
    useProviders({ text });
    expect(await textProvider()).toBe(text);
    // No keys in tests: the configuration selects the offline adapters.
    expect((await imageProvider()).name).toBe("offline");
    expect((await storageProvider()).name).toBe("local");
    useProviders(undefined);
    expect(await textProvider()).not.toBe(text);
  });
});
