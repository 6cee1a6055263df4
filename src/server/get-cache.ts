import { LRUCache } from 'lru-cache';
import { headKey } from '../engine/keys.js';
import type { VersionedValue } from '../engine/types.js';
import type { ServedDatabase } from './database.js';

interface Entry {
  /** The head record the body was made from: the body is current while the stored head is these bytes. */
  head: Uint8Array;
  body: string;
}

/**
 * The GET hot path: the serialized response of each recently read key, reused while the key's head
 * record in the store is byte-for-byte the one it was made from. Checking costs one memory-mapped
 * read and a short compare, and is exact whoever wrote (this process or another one on the same
 * database), so no invalidation protocol is needed. A miss goes through `db.get()`, which validates
 * names, verifies the content hash and reports errors as usual.
 */
export class GetCache {
  readonly #db: ServedDatabase;
  readonly #lru: LRUCache<string, Entry>;

  constructor(db: ServedDatabase, maxBytes: number) {
    this.#db = db;
    this.#lru = new LRUCache<string, Entry>({
      max: 100_000,
      maxSize: Math.max(1, maxBytes),
      sizeCalculation: (e) => e.body.length * 2 + e.head.byteLength + 64,
    });
  }

  /** The JSON body of `GET /api/v1/:ns/:key`. Rejects as `db.get()` does. */
  async body(namespace: string, key: string): Promise<string> {
    const id = `${namespace}\u0000${key}`;
    const hit = this.#lru.get(id);
    if (hit) {
      const same = this.#db.store.read('heads', headKey(namespace, key), (head) => Buffer.compare(head, hit.head) === 0);
      if (same === true) return hit.body;
      this.#lru.delete(id);
    }
    // db.get() reads synchronously before its promise settles, so it and the head read below see
    // the same store snapshot; db.get() validates the names first, so a bad key never reaches the store.
    const pending = this.#db.get(namespace, key);
    let head: Uint8Array | undefined;
    try {
      head = this.#db.store.get('heads', headKey(namespace, key));
    } catch {
      head = undefined;
    }
    const version: VersionedValue = await pending;
    const body = JSON.stringify(version);
    if (head) this.#lru.set(id, { head, body });
    return body;
  }
}
