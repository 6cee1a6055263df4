import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HybridClock } from '../../../src/engine/clock.js';
import { HotCache } from '../../../src/engine/hot-cache.js';
import { BUCKETS } from '../../../src/engine/keys.js';
import { Reader } from '../../../src/engine/reader.js';
import { encodeValue } from '../../../src/engine/value.js';
import { WritePath, type WriteOp } from '../../../src/engine/write-path.js';
import { MemoryStore } from '../../../src/storage/memory-store.js';

const put = (key: string, value: unknown): WriteOp => {
  const encoded = encodeValue(value, 'ns', key, 1 << 20);
  return { kind: 'put', namespace: 'ns', key, encoded, value: encoded.value };
};

function setUp(): { cache: HotCache; path: WritePath; reader: Reader } {
  const store = new MemoryStore(BUCKETS);
  const reader = new Reader(store);
  const cache = new HotCache(store, reader, 100, 1 << 20);
  const path = new WritePath(store, new HybridClock(), 'node-a', (writes) => cache.committed(writes));
  return { cache, path, reader };
}

describe('HotCache', () => {
  it('does not take in a key that a write creates (write-around)', async () => {
    const { cache, path } = setUp();
    await path.submit([put('a', 1)]);
    await path.submit([put('b', 2), put('c', 3)]);
    assert.equal(cache.size, 0);
    assert.equal(cache.lookup('ns', 'a'), undefined);
  });

  it('refreshes a cached key when it is written, so a hit is never stale', async () => {
    const { cache, path, reader } = setUp();
    await path.submit([put('a', 1)]);
    const found = reader.current('ns', 'a')!;
    cache.remember('ns', 'a', { head: found.head, value: found.value, timestamp: undefined }, found.size);
    const [second] = await path.submit([put('a', 2)]);
    const hit = cache.lookup('ns', 'a');
    assert.equal(hit?.value, 2);
    assert.equal(hit?.head.versionId, second.version.versionId);
    assert.equal(hit?.head.previousVersion, found.head.versionId);
    assert.equal(cache.size, 1);
  });

  it('counts a large value read from the store at its size, so maxBytes bounds it', async () => {
    const store = new MemoryStore(BUCKETS);
    const reader = new Reader(store);
    const cache = new HotCache(store, reader, 100, 64 * 1024);
    const path = new WritePath(store, new HybridClock(), 'node-a', (writes) => cache.committed(writes));
    // Over INLINE_MAX_BYTES: kept in blobs, not in the head record.
    const big = (i: number) => ({ i, text: 'x'.repeat(20_000) });
    for (let i = 0; i < 10; i++) await path.submit([put(`k${i}`, big(i))]);
    for (let i = 0; i < 10; i++) {
      const found = reader.current('ns', `k${i}`)!;
      assert.ok(found.size > 20_000, `size ${found.size}`);
      cache.remember('ns', `k${i}`, { head: found.head, value: found.value, timestamp: undefined }, found.size);
    }
    // 64 KiB holds three of the 20 KB values, not all ten.
    assert.equal(cache.size, 3);
    assert.deepEqual(cache.lookup('ns', 'k9')?.value, big(9));
  });
});
