import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headKey } from '../../src/engine/keys.js';
import type { ExportRecord } from '../../src/index.js';
import { STORES, damage, openDb, rejectsWith } from '../helpers.js';

for (const kind of STORES) {
  describe(`corruption detection (${kind})`, () => {
    it('a damaged current value raises CORRUPTED naming the key; verify reports it', async () => {
      const db = await openDb(kind, { cache: { maxEntries: 0 } });
      await db.put('users', 'alice', { name: 'alice' });
      await db.put('users', 'bob', { name: 'bob' });
      assert.equal(await damage(db.store, 'heads', 'alice', 'alicf'), 1);
      await rejectsWith(db.get('users', 'alice'), 'CORRUPTED', 'users/alice');
      assert.deepEqual((await db.get('users', 'bob')).value, { name: 'bob' });
      const report = await db.verify();
      assert.equal(report.ok, false);
      assert.deepEqual(report.issues.map((i) => [i.kind, i.namespace, i.key]), [['hash-mismatch', 'users', 'alice']]);
    });

    it('a damaged change-log entry raises CORRUPTED naming its seq instead of a bare RangeError', async () => {
      const db = await openDb(kind);
      await db.putBatch([{ namespace: 'log', key: 'a', value: 1 }, { namespace: 'log', key: 'b', value: 2 }]);
      const [entry] = [...db.store.range('changes')];
      // Cut the entry's second versions key in half.
      await db.store.transaction((txn) => txn.put('changes', entry.key, entry.value.subarray(0, entry.value.length - 10)));
      assert.throws(() => [...db.reader.changesAfter(0)], (err: Error & { code?: string }) => err.code === 'CORRUPTED' && /seq 1\b/.test(err.message));
    });

    it('verify checks the change log: unreadable entries, gaps, and versions it misses', async () => {
      const logged = async () => {
        const db = await openDb(kind);
        await db.put('log', 'a', 1);
        await db.putBatch([{ namespace: 'log', key: 'b', value: 2 }, { namespace: 'log', key: 'c', value: 3 }]);
        await db.put('log', 'd', 4);
        assert.deepEqual((await db.verify()).issues, []);
        const entries = [...db.store.range('changes')];
        assert.deepEqual(entries.map((e) => Buffer.from(e.key).readUInt32BE(4)), [1, 2, 4]);
        return { db, entries };
      };
      const messages = async (db: Awaited<ReturnType<typeof openDb>>) => (await db.verify()).issues.map((i) => `${i.kind}: ${i.message}`);

      const cut = await logged();
      await cut.db.store.transaction((txn) => txn.put('changes', cut.entries[1].key, cut.entries[1].value.subarray(0, 5)));
      assert.deepEqual(await messages(cut.db), [
        'change-log: the entry at seq 2 cannot be read',
        'change-log: 2 stored versions are missing from the log',
      ]);

      const gap = await logged();
      await gap.db.store.transaction((txn) => txn.del('changes', gap.entries[1].key));
      assert.deepEqual(await messages(gap.db), [
        'change-log: changes 2 to 3 are missing',
        'change-log: 2 stored versions are missing from the log',
      ]);

      const end = await logged();
      await end.db.store.transaction((txn) => txn.del('changes', end.entries[2].key));
      assert.deepEqual(await messages(end.db), [
        'change-log: the log ends at change 3 but the last change is 4',
        'change-log: 1 stored version is missing from the log',
      ]);
    });

    it('a damaged history value raises CORRUPTED from history and getAt', async () => {
      const db = await openDb(kind, { cache: { maxEntries: 0 } });
      const old = await db.put('docs', 'd', { text: 'original' });
      await db.put('docs', 'd', { text: 'newer' });
      // Small values live in the version record (and, while current, in the head).
      assert.equal(await damage(db.store, 'versions', 'original', 'ORIGINAL'), 1);
      await rejectsWith(db.getAt('docs', 'd', old.timestamp), 'CORRUPTED', 'docs/d');
      await rejectsWith(db.history('docs', 'd'), 'CORRUPTED', 'docs/d');
      assert.deepEqual((await db.get('docs', 'd')).value, { text: 'newer' });
      const report = await db.verify();
      assert.deepEqual(report.issues.map((i) => [i.kind, i.versionId]), [['hash-mismatch', old.versionId]]);
    });

    it('a damaged large value (stored once, by hash) raises CORRUPTED from get, getAt and verify', async () => {
      const db = await openDb(kind, { cache: { maxEntries: 0 } });
      const big = { text: 'original'.repeat(400) };
      const first = await db.put('docs', 'big', big);
      const twin = await db.put('docs', 'twin', big);
      assert.equal(await damage(db.store, 'blobs', 'original', 'ORIGINAL'), 1);
      await rejectsWith(db.get('docs', 'big'), 'CORRUPTED', 'docs/big');
      await rejectsWith(db.getAt('docs', 'twin', twin.timestamp), 'CORRUPTED', 'docs/twin');
      const report = await db.verify();
      assert.deepEqual(report.issues.map((i) => [i.kind, i.key]).sort(), [['hash-mismatch', 'big'], ['hash-mismatch', 'twin']]);
      assert.equal(report.issues.find((i) => i.key === 'big')?.versionId, first.versionId);
    });

    it('verify finds broken chains, missing values, bad heads and undecodable records', async () => {
      const db = await openDb(kind, { cache: { maxEntries: 0 } });
      const a1 = await db.put('c', 'a', 'one');
      await db.put('c', 'a', 'two');
      const b = await db.put('c', 'b', 'lonely'.repeat(1000)); // large: stored in blobs
      await db.put('c', 'z', 'fine');
      assert.equal((await db.verify()).ok, true);
      await db.store.transaction((txn) => {
        // Drop the first version of c/a: the second one's parent is gone.
        for (const { key, value } of txn.range('versions')) {
          if (Buffer.from(value).includes(a1.versionId)
              && Buffer.from(key).includes(Buffer.from(a1.versionId, 'hex'))) txn.del('versions', key);
        }
        txn.del('blobs', Buffer.from(b.contentHash, 'hex'));
        txn.put('heads', headKey('c', 'z'), Buffer.from([1, 0xc1]));
      });
      const report = await db.verify();
      const kinds = report.issues.map((i) => `${i.kind}:${i.key}`).sort();
      // The log still names the dropped version.
      assert.deepEqual(kinds, ['broken-chain:a', 'change-log:a', 'missing-value:b', 'undecodable:z']);
      await rejectsWith(db.get('c', 'z'), 'CORRUPTED', 'c/z');
      await rejectsWith(db.history('c', 'b'), 'CORRUPTED', 'c/b');
    });
  });

  describe(`export and import (${kind})`, () => {
    it('re-import recreates identical versions; a second import adds nothing', async () => {
      const src = await openDb(kind);
      await src.put('e', 'a', { v: 1 });
      await src.put('e', 'a', { v: 2 });
      await src.put('f', 'b', [1, 2]);
      await src.delete('e', 'a');
      await src.put('e', 'a', { v: 3 });
      const records: ExportRecord[] = [];
      for await (const r of src.exportVersions()) records.push(r);
      assert.equal(records.length, 5);
      assert.deepEqual(records.map((r) => r.value), [{ v: 1 }, { v: 2 }, [1, 2], null, { v: 3 }]);
      const dst = await openDb(kind);
      assert.deepEqual(await dst.importVersions(records), { imported: 5, skipped: 0 });
      assert.deepEqual(await dst.importVersions(records), { imported: 0, skipped: 5 });
      assert.deepEqual(await dst.history('e', 'a'), await src.history('e', 'a'));
      assert.deepEqual(await dst.get('f', 'b'), await src.get('f', 'b'));
      const [s1, s2] = [await src.stats(), await dst.stats()];
      assert.deepEqual([s2.keyCount, s2.totalVersions, s2.namespaceCount], [s1.keyCount, s1.totalVersions, s1.namespaceCount]);
      assert.equal((await dst.verify()).ok, true);
      const later = await dst.put('e', 'a', 'local');
      assert.equal(later.previousVersion, records[4].versionId);
    });

    it('a snapshot export holds only what was live at that time', async () => {
      const db = await openDb(kind);
      await db.put('s', 'a', 1);
      const mid = await db.put('s', 'b', 1);
      await db.delete('s', 'a');
      await db.put('s', 'b', 2);
      const snap: ExportRecord[] = [];
      for await (const r of db.exportVersions({ at: mid.timestamp })) snap.push(r);
      assert.deepEqual(snap.map((r) => [r.key, r.value]), [['a', 1], ['b', 1]]);
    });

    it('refuses records whose value does not match the hash, or whose id was altered', async () => {
      const src = await openDb(kind);
      await src.put('e', 'a', { v: 1 });
      const [record] = await (async () => { const out: ExportRecord[] = []; for await (const r of src.exportVersions()) out.push(r); return out; })();
      const dst = await openDb(kind);
      await rejectsWith(dst.importVersions([{ ...record, value: { v: 2 } }]), 'CORRUPTED', 'e/a');
      await rejectsWith(dst.importVersions([{ ...record, timestamp: '2020-01-01T00:00:00.000000Z' }]), 'CORRUPTED', 'e/a');
      await rejectsWith(dst.importVersions([{ ...record, versionId: 'nothex' }]), 'INVALID_VALUE', 'e/a');
      assert.equal((await dst.stats()).totalVersions, 0);
    });
  });
}
