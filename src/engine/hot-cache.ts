import { LRUCache } from 'lru-cache';
import type { Store } from '../storage/store.js';
import { META, readNumber } from './meta.js';
import type { Reader } from './reader.js';
import type { HeadFields, StoredVersion } from './record.js';
import type { JsonValue } from './types.js';
import type { CommittedWrite } from './write-path.js';

/** A verified current version held in memory. Its value is private: callers get copies. */
export interface CachedHead {
  head: HeadFields;
  value: JsonValue;
  /** `head.micros` formatted, kept so a hit does no date formatting. */
  timestamp: string | undefined;
}

const id = (namespace: string, key: string): string => `${namespace}\u0000${key}`;

const headFields = (v: StoredVersion): HeadFields => ({
  versionId: v.versionId, contentHash: v.contentHash, previousVersion: v.parents[0] ?? null, micros: v.micros, deleted: v.deleted,
});

/**
 * Hot tier (F14): the most recently read current values, bounded by entries and by bytes.
 * It holds only values already checked against their hash (or just written by this process), and
 * never serves a superseded one: a write to a cached key by this process replaces its entry at
 * commit (`committed`); one by another process drops it, seen through the change log (checked
 * before a lookup, once per store read snapshot).
 */
export class HotCache {
  readonly #lru?: LRUCache<string, CachedHead>;
  readonly #store: Store;
  readonly #reader: Reader;
  /** The change-log seq the entries are known to be current at. */
  #knownSeq: number;
  /** The store snapshot generation the entries were last checked against. */
  #checkedAt = -1;

  constructor(store: Store, reader: Reader, maxEntries: number, maxBytes: number) {
    this.#store = store;
    this.#reader = reader;
    this.#knownSeq = readNumber(store, META.seq);
    if (maxEntries > 0 && maxBytes > 0) {
      this.#lru = new LRUCache<string, CachedHead>({ max: maxEntries, maxSize: maxBytes, sizeCalculation: () => 1 });
    }
  }

  get disabled(): boolean {
    return this.#lru === undefined;
  }

  /** The cached head of `namespace/key`, current as of this turn's store snapshot. */
  lookup(namespace: string, key: string): CachedHead | undefined {
    if (this.#lru === undefined) return undefined;
    this.#syncWithLog();
    return this.#lru.get(id(namespace, key));
  }

  /** Keeps a head just read from the store. */
  remember(namespace: string, key: string, entry: CachedHead, sizeBytes: number): void {
    this.#lru?.set(id(namespace, key), entry, { size: Math.max(1, sizeBytes) });
  }

  /**
   * Applies this process's committed writes (they are in the change log after the known seq).
   * Write-around: a write refreshes a key that is cached and does not bring in one that is not, so
   * a stream of writes to new keys neither evicts the keys being read nor keeps every written value
   * alive until it is evicted (at 1,024 writes in flight, filling the cache on every write cost
   * about 4% of a write's time, plus the garbage collector's copying of the values it kept).
   */
  committed(writes: readonly CommittedWrite[]): void {
    const lru = this.#lru;
    if (lru === undefined) return;
    for (const w of writes) {
      const k = id(w.namespace, w.key);
      if (!lru.has(k)) continue;
      if (w.isHead) this.remember(w.namespace, w.key, { head: headFields(w.version), value: w.value, timestamp: undefined }, w.bytes);
      else lru.delete(k);
    }
    if (writes[0].version.seq === this.#knownSeq + 1) this.#knownSeq = writes[writes.length - 1].version.seq;
    // Our commit renewed the store's read snapshot; other processes' writes may now be visible too.
    this.#checkedAt = -1;
  }

  clear(): void {
    this.#lru?.clear();
  }

  get size(): number {
    return this.#lru?.size ?? 0;
  }

  /**
   * Drops entries that other processes' writes made stale. They can only show once the store's
   * read snapshot moves (each event-loop turn, every millisecond of a turn that runs on, after our
   * own commits), so one look at the change log's last sequence per snapshot is as fresh as reading
   * the store itself.
   */
  #syncWithLog(): void {
    const generation = this.#store.snapshotGeneration?.();
    if (generation === undefined || generation === this.#checkedAt) return;
    this.#checkedAt = generation;
    const seq = readNumber(this.#store, META.seq);
    if (seq === this.#knownSeq) return;
    // Far behind, dropping everything is cheaper than reading the log for the keys to drop.
    if (seq - this.#knownSeq > 1_000 || seq < this.#knownSeq) this.#lru!.clear();
    else for (const c of this.#reader.changesAfter(this.#knownSeq)) this.#lru!.delete(id(c.namespace, c.key));
    this.#knownSeq = seq;
  }
}
