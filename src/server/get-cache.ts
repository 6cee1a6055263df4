import { LRUCache } from 'lru-cache';
import { headKey } from '../engine/keys.js';
import type { VersionedValue } from '../engine/types.js';
import type { ServedDatabase } from './database.js';

/** A cached `GET /api/v1/:ns/:key` response. */
export interface CachedBody {
  /** The JSON body, UTF-8. */
  body: Buffer;
}

interface Entry extends CachedBody {
  /** The key of the head record in the store. */
  headKey: string;
  /** The head record the body was made from: the body is current while the stored head is these bytes. */
  head: Uint8Array;
  /** The change-log seq of the last snapshot the entry was found current in. */
  seq: number;
}

/**
 * The GET hot path: the serialized response of each recently read key, reused while the key's head
 * record in the store is byte-for-byte the one it was made from. Checking costs one memory-mapped
 * read and a short compare, and is exact whoever wrote (this process or another one on the same
 * database), so no invalidation protocol is needed. Every commit, by any process, advances the
 * change log's last seq, so an entry already found current at the seq of the store's snapshot needs
 * no check at all: that seq is read once per snapshot, which stays the same for an event-loop turn
 * unless this process commits (see `committed`). A miss goes through `db.get()`, which validates
 * names, verifies the content hash and reports errors as usual.
 *
 * Entries are found by the request's raw URL (as sent, percent-encoding and query string included):
 * an entry is only made by the `GET /api/v1/:ns/:key` route for the URL the router sent there, and
 * the route table never changes, so the same URL always means the same namespace and key. That lets
 * the server answer a repeated GET before routing (see fast-get.ts) without decoding the path itself.
 */
export class GetCache {
  readonly #db: ServedDatabase;
  readonly #lru: LRUCache<string, Entry>;
  /** The change log's last seq in this turn's snapshot, once read. */
  #seq: number | undefined;
  readonly #forgetSeq = (): void => {
    this.#seq = undefined;
  };

  constructor(db: ServedDatabase, maxBytes: number) {
    this.#db = db;
    this.#lru = new LRUCache<string, Entry>({
      max: 100_000,
      maxSize: Math.max(1, maxBytes),
      sizeCalculation: (e, url) => e.body.length + url.length * 2 + e.head.byteLength + e.headKey.length * 2 + 128,
    });
  }

  /**
   * The cached body for `url` if it is still current, synchronously; undefined when there is none,
   * it is stale (then dropped), or the store cannot be read (the routed path reports that).
   */
  current(url: string): CachedBody | undefined {
    const hit = this.#lru.get(url);
    if (hit === undefined) return undefined;
    let same: boolean | undefined;
    let seq: number;
    try {
      seq = this.#snapshotSeq();
      if (hit.seq === seq) return hit;
      same = this.#db.store.read('heads', hit.headKey, (head) => Buffer.compare(head, hit.head) === 0);
    } catch {
      return undefined;
    }
    if (same === true) {
      hit.seq = seq;
      return hit;
    }
    this.#lru.delete(url);
    return undefined;
  }

  /** To be called after each commit of this process: the store's snapshot has moved on. */
  committed(): void {
    this.#forgetSeq();
  }

  #snapshotSeq(): number {
    if (this.#seq === undefined) {
      this.#seq = this.#db.lastSeq();
      setImmediate(this.#forgetSeq);
    }
    return this.#seq;
  }

  /** The JSON body of `GET /api/v1/:ns/:key` requested as `url`. Rejects as `db.get()` does. */
  async body(namespace: string, key: string, url: string): Promise<CachedBody> {
    const hit = this.current(url);
    if (hit) return hit;
    // db.get() reads synchronously before its promise settles, so it and the reads below see the
    // same store snapshot; db.get() validates the names first, so a bad key never reaches the store.
    const pending = this.#db.get(namespace, key);
    const hk = headKey(namespace, key);
    let head: Uint8Array | undefined;
    let seq = -1;
    try {
      head = this.#db.store.get('heads', hk);
      seq = this.#snapshotSeq();
    } catch {
      head = undefined;
    }
    const version: VersionedValue = await pending;
    const body = Buffer.from(JSON.stringify(version), 'utf8');
    const entry: Entry = { body, headKey: hk, head: head ?? new Uint8Array(0), seq };
    if (head) this.#lru.set(url, entry);
    return entry;
  }
}
