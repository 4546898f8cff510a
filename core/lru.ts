/**
 * A bounded map whose entries also expire: at most `maxEntries`, the least recently used going
 * first, each readable for `ttlMs` after it was set. Map iteration order is insertion order, so
 * re-inserting on every hit keeps the coldest entry first.
 */
export class LruCache<K, V> {
  readonly #entries = new Map<K, { value: V; until: number }>();

  constructor(
    readonly maxEntries: number,
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  /** The entry, if present and not expired; a hit makes it the most recently used. */
  get(key: K): { value: V } | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (entry.until <= this.now()) return undefined;
    this.#entries.set(key, entry);
    return { value: entry.value };
  }

  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, until: this.now() + this.ttlMs });
    while (this.#entries.size > this.maxEntries) {
      const coldest = this.#entries.keys().next().value as K;
      this.#entries.delete(coldest);
    }
  }

  delete(key: K): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}
