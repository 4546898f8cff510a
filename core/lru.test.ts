import { describe, expect, it } from "vitest";
import { LruCache } from "./lru.ts";

describe("LruCache", () => {
  it("drops the least recently used entry past its size, not everything", () => {
    const cache = new LruCache<string, number>(3, 60_000);
    cache.set("a", 1);
    cache.set("b", 2);
    cache.set("c", 3);
    expect(cache.get("a")).toEqual({ value: 1 }); // a is now the most recent
    cache.set("d", 4);
    expect(cache.get("b")).toBeUndefined();
    expect([cache.get("a"), cache.get("c"), cache.get("d")]).toEqual([
      { value: 1 },
      { value: 3 },
      { value: 4 },
    ]);
    expect(cache.size).toBe(3);
  });

  it("forgets entries after their time to live, and on delete", () => {
    let now = 1_000;
    const cache = new LruCache<string, string | undefined>(10, 500, () => now);
    cache.set("k", undefined);
    cache.set("gone", "x");
    expect(cache.get("k")).toEqual({ value: undefined }); // a cached miss is still a hit
    cache.delete("gone");
    expect(cache.get("gone")).toBeUndefined();
    now += 500;
    expect(cache.get("k")).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
