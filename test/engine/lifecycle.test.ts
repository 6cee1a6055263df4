import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { KoruDelta } from '../../src/index.js';
import { STORES, openDb, rejectsWith, tmpDir } from '../helpers.js';

for (const kind of STORES) {
  describe(`putBatch (${kind})`, () => {
    it('commits every write in one transaction, with chains across repeated keys', async () => {
      const db = await openDb(kind);
      await db.put('b', 'x', 0);
      const out = await db.putBatch([
        { namespace: 'b', key: 'x', value: 1 },
        { namespace: 'b', key: 'y', value: 2 },
        { namespace: 'c', key: 'x', value: 3 },
        { namespace: 'b', key: 'x', value: 4 },
      ]);
      assert.equal(out.length, 4);
      assert.equal(out[3].previousVersion, out[0].versionId);
      assert.deepEqual((await db.history('b', 'x')).map((v) => v.value), [0, 1, 4]);
      assert.deepEqual(await db.putBatch([]), []);
    });

    it('is all or none: one bad write refuses the whole batch and writes nothing', async () => {
      const db = await openDb(kind);
      await rejectsWith(db.putBatch([
        { namespace: 'b', key: 'ok', value: 1 },
        { namespace: 'b', key: 'bad', value: { n: NaN } },
      ]), 'INVALID_VALUE', 'b/bad');
      await rejectsWith(db.putBatch([
        { namespace: 'b', key: 'ok', value: 1 },
        { namespace: '_bad', key: 'k', value: 1 },
      ]), 'INVALID_NAMESPACE');
      assert.equal(await db.contains('b', 'ok'), false);
      assert.equal((await db.stats()).totalVersions, 0);
    });

    it('a failing write in the same group commit does not affect others', async () => {
      const db = await openDb(kind);
      await db.put('g', 'live', 1);
      const results = await Promise.allSettled([
        db.put('g', 'a', 1),
        db.delete('g', 'missing'),
        db.putBatch([{ namespace: 'g', key: 'b', value: 2 }]),
        db.delete('g', 'live'),
      ]);
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      assert.deepEqual(await db.listKeys('g'), ['a', 'b']);
      assert.equal((await db.stats()).totalVersions, 4);
    });
  });

  describe(`closing (${kind})`, () => {
    it('after close every call rejects with DATABASE_CLOSED; close is idempotent', async () => {
      const db = await openDb(kind);
      await db.put('c', 'k', 1);
      const pending = db.put('c', 'k', 2);
      await db.close();
      await pending;
      await db.close();
      const calls: Array<() => Promise<unknown>> = [
        () => db.put('c', 'k', 1), () => db.get('c', 'k'), () => db.getAt('c', 'k', Date.now()),
        () => db.history('c', 'k'), () => db.delete('c', 'k'), () => db.contains('c', 'k'),
        () => db.putBatch([{ namespace: 'c', key: 'k', value: 1 }]), () => db.listKeys('c'),
        () => db.listNamespaces(), () => db.stats(), () => db.verify(), () => db.diskSize(),
      ];
      for (const call of calls) await rejectsWith(call(), 'DATABASE_CLOSED');
    });

    it('reports bad arguments by rejecting, never by a synchronous throw', async () => {
      const db = await openDb(kind);
      const p = db.put(42 as unknown as string, 'k', 1);
      assert.ok(p instanceof Promise);
      await rejectsWith(p, 'INVALID_NAMESPACE');
      await assert.rejects(db.putBatch(null as unknown as []), TypeError);
    });
  });
}

describe('persistence (lmdb)', () => {
  it('close and reopen gives identical keys, values, versionIds, timestamps and history', async () => {
    const path = join(tmpDir(), 'db');
    const db = await KoruDelta.start({ path });
    for (let i = 0; i < 30; i++) await db.put(`ns${i % 3}`, `k${i % 7}`, { i, s: 'é'.repeat(i) });
    await db.delete('ns0', 'k0');
    const before = { keys: await Promise.all(['ns0', 'ns1', 'ns2'].map((n) => db.listKeys(n))), stats: await db.stats(), node: db.nodeId };
    const histories = await Promise.all(['ns0', 'ns1', 'ns2'].flatMap((n) => ['k0', 'k1', 'k2'].map((k) => db.history(n, k).catch(() => null))));
    await db.close();
    const again = await KoruDelta.start({ path });
    assert.deepEqual({ keys: await Promise.all(['ns0', 'ns1', 'ns2'].map((n) => again.listKeys(n))), stats: await again.stats(), node: again.nodeId }, before);
    assert.deepEqual(await Promise.all(['ns0', 'ns1', 'ns2'].flatMap((n) => ['k0', 'k1', 'k2'].map((k) => again.history(n, k).catch(() => null)))), histories);
    const next = await again.put('ns1', 'k1', 'after');
    assert.ok(next.timestamp > histories[4]!.at(-1)!.timestamp);
    assert.equal((await again.verify()).ok, true);
    await again.close();
  });
});
