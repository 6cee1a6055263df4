import { LRUCache } from 'lru-cache';
import type { JsonValue } from './types.js';
import type { StoredVersion } from './record.js';

/** A verified current version held in memory. Its value is private: callers get copies. */
export interface CachedHead {
  version: StoredVersion;
  value: JsonValue;
  /** `version.micros` formatted, kept so a hit does no date formatting. */
  timestamp?: string;
}

/**
 * Hot tier (F14): the most recently used current values, bounded by entries and by bytes.
 * It holds only values already checked against their hash, and the engine drops an entry whenever
 * a write to that key is seen, by this process (at commit) or by another (through the change log).
 */
export class HotCache {
  readonly #lru?: LRUCache<string, CachedHead>;

  constructor(maxEntries: number, maxBytes: number) {
    if (maxEntries > 0 && maxBytes > 0) {
      this.#lru = new LRUCache<string, CachedHead>({ max: maxEntries, maxSize: maxBytes, sizeCalculation: () => 1 });
    }
  }

  static id(namespace: string, key: string): string {
    return `${namespace}\u0000${key}`;
  }

  get(id: string): CachedHead | undefined {
    return this.#lru?.get(id);
  }

  /** A lookup that does not count as a use (scans must not churn the recency order). */
  peek(id: string): CachedHead | undefined {
    return this.#lru?.peek(id);
  }

  set(id: string, entry: CachedHead, sizeBytes: number): void {
    this.#lru?.set(id, entry, { size: Math.max(1, sizeBytes) });
  }

  delete(id: string): void {
    this.#lru?.delete(id);
  }

  clear(): void {
    this.#lru?.clear();
  }

  get disabled(): boolean {
    return this.#lru === undefined;
  }

  get size(): number {
    return this.#lru?.size ?? 0;
  }
}
