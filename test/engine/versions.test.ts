import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { STORES, openDb, rejectsWith } from '../helpers.js';

for (const kind of STORES) {
  describe(`versions (${kind})`, () => {
    it('every put is a new version, even with an identical value', async () => {
      const db = await openDb(kind);
      const a = await db.put('docs', 'k', { x: 1 });
      const b = await db.put('docs', 'k', { x: 1 });
      assert.notEqual(a.versionId, b.versionId);
      assert.equal(a.contentHash, b.contentHash);
      assert.equal(b.previousVersion, a.versionId);
      assert.equal(a.previousVersion, null);
      assert.equal((await db.history('docs', 'k')).length, 2);
      assert.deepEqual(await db.get('docs', 'k'), b);
    });

    it('contentHash is SHA-256 of RFC 8785 canonical JSON, shared across keys and namespaces', async () => {
      const db = await openDb(kind);
      const a = await db.put('one', 'a', { a: 1, b: 2 });
      const b = await db.put('two', 'b', { b: 2, a: 1 });
      const expected = createHash('sha256').update('{"a":1,"b":2}').digest('hex');
      assert.equal(a.contentHash, expected);
      assert.equal(b.contentHash, expected);
      const n = await db.put('one', 'n', { z: [1e21, 0.1, -0, 'é'], a: null });
      assert.equal(n.contentHash, createHash('sha256').update('{"a":null,"z":[1e+21,0.1,0,"é"]}').digest('hex'));
    });

    it('identical large values are stored once (deduplicated by hash); small ones inline', async () => {
      const db = await openDb(kind);
      for (let i = 0; i < 20; i++) await db.put('ns', `k${i}`, { same: true, big: 'x'.repeat(5000) });
      await db.put('ns', 'other', { same: false, big: 'y'.repeat(5000) });
      for (let i = 0; i < 5; i++) await db.put('ns', `small${i}`, { small: true });
      const stats = await db.stats();
      assert.equal(stats.totalVersions, 26);
      assert.equal([...db.store.range('blobs')].length, 2);
      assert.deepEqual((await db.get('ns', 'k7')).value, { same: true, big: 'x'.repeat(5000) });
      assert.deepEqual((await db.get('ns', 'small3')).value, { small: true });
    });

    it('100 sequential puts form one unbroken chain', async () => {
      const db = await openDb(kind);
      for (let i = 0; i < 100; i++) await db.put('c', 'k', { i });
      const h = await db.history('c', 'k');
      assert.equal(h.length, 100);
      assert.equal(h[0].previousVersion, null);
      for (let i = 1; i < 100; i++) {
        assert.equal(h[i].previousVersion, h[i - 1].versionId);
        assert.deepEqual(h[i].value, { i });
      }
      assert.equal(new Set(h.map((v) => v.versionId)).size, 100);
    });

    it('100 concurrent puts on one key form one chain of 100, none lost', async () => {
      const db = await openDb(kind);
      const written = await Promise.all(Array.from({ length: 100 }, (_, i) => db.put('c', 'k', i)));
      const h = await db.history('c', 'k');
      assert.equal(h.length, 100);
      for (let i = 1; i < 100; i++) assert.equal(h[i].previousVersion, h[i - 1].versionId);
      assert.deepEqual(new Set(h.map((v) => v.value)), new Set(Array.from({ length: 100 }, (_, i) => i)));
      assert.deepEqual(new Set(h.map((v) => v.versionId)), new Set(written.map((v) => v.versionId)));
      assert.deepEqual(await db.get('c', 'k'), h[99]);
    });

    it('timestamps are µs ISO strings, unique and strictly increasing, later than the parent', async () => {
      const db = await openDb(kind);
      const vs = [];
      for (let i = 0; i < 200; i++) vs.push(await db.put('t', `k${i % 3}`, i));
      vs.push(...(await Promise.all(Array.from({ length: 50 }, (_, i) => db.put('t', 'k0', i)))));
      for (const v of vs) assert.match(v.timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
      for (let i = 1; i < vs.length; i++) assert.ok(vs[i].timestamp > vs[i - 1].timestamp, `${vs[i].timestamp} > ${vs[i - 1].timestamp}`);
      const h = await db.history('t', 'k0');
      for (let i = 1; i < h.length; i++) assert.ok(h[i].timestamp > h[i - 1].timestamp);
    });

    it('returned values are safe: mutating them changes nothing stored', async () => {
      const db = await openDb(kind);
      const input = { list: [1, 2], nested: { a: 1 } };
      const put = await db.put('s', 'k', input);
      input.list.push(3);
      (put.value as { nested: { a: number } }).nested.a = 99;
      const got = await db.get('s', 'k');
      (got.value as { list: number[] }).list.push(4);
      const [batch] = await db.putBatch([{ namespace: 's', key: 'b', value: { q: [1] } }]);
      (batch.value as { q: number[] }).q.push(2);
      assert.deepEqual((await db.get('s', 'k')).value, { list: [1, 2], nested: { a: 1 } });
      assert.deepEqual((await db.get('s', 'b')).value, { q: [1] });
      const [h] = await db.history('s', 'k');
      (h.value as { list: number[] }).list.length = 0;
      assert.deepEqual((await db.history('s', 'k'))[0].value, { list: [1, 2], nested: { a: 1 } });
    });

    it('a never-written key throws KEY_NOT_FOUND from get, getAt and history, naming the key', async () => {
      const db = await openDb(kind);
      await rejectsWith(db.get('users', 'bob'), 'KEY_NOT_FOUND', 'users/bob');
      await rejectsWith(db.getAt('users', 'bob', Date.now()), 'KEY_NOT_FOUND', 'users/bob');
      await rejectsWith(db.history('users', 'bob'), 'KEY_NOT_FOUND', 'users/bob');
      assert.equal(await db.contains('users', 'bob'), false);
    });

    it('records origin node, parents and a change-log sequence for every version', async () => {
      const db = await openDb(kind);
      await db.put('r', 'a', 1);
      await db.put('r', 'a', 2);
      await db.delete('r', 'a');
      const changes = [...db.reader.changesAfter(0)];
      assert.deepEqual(changes.map((c) => c.seq), [1, 2, 3]);
      assert.ok(changes.every((c) => c.version.origin === db.nodeId));
      assert.deepEqual(changes[1].version.parents, [changes[0].version.versionId]);
      assert.match(db.nodeId, /^[0-9a-f]{16}$/);
      assert.equal((await db.stats()).lastSeq, 3);
    });

    it('the change log reads one seq at a time from any point, inside batches and group commits too', async () => {
      const db = await openDb(kind);
      await db.put('r', 'a', 0);
      await db.putBatch([{ namespace: 'r', key: 'b', value: 1 }, { namespace: 'r', key: 'c', value: 2 }, { namespace: 'q', key: 'd', value: 3 }]);
      // Concurrent writes share group commits: each group is one log entry holding several seqs.
      await Promise.all(Array.from({ length: 20 }, (_, i) => db.put('r', `e${i % 3}`, i)));
      await db.delete('r', 'a');
      const all = [...db.reader.changesAfter(0)];
      assert.deepEqual(all.map((c) => c.seq), Array.from({ length: 25 }, (_, i) => i + 1));
      assert.deepEqual(all.map((c) => c.version.seq), all.map((c) => c.seq));
      assert.deepEqual(all.slice(1, 4).map((c) => `${c.namespace}/${c.key}`), ['r/b', 'r/c', 'q/d']);
      for (let after = 0; after <= 25; after++) {
        assert.deepEqual([...db.reader.changesAfter(after)].map((c) => c.seq), all.slice(after).map((c) => c.seq), `after ${after}`);
        assert.deepEqual([...db.reader.changesAfter(after, 2)].map((c) => c.seq), all.slice(after, after + 2).map((c) => c.seq));
      }
      for (const c of all) assert.equal(db.reader.change(c.seq)?.version.versionId, c.version.versionId);
      assert.equal(db.reader.change(26), undefined);
      assert.equal(all[24].version.deleted, true);
    });
  });
}
