import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExportRecord, KoruDelta } from '../../src/index.js';
import { versionIdOf } from '../../src/engine/version-id.js';
import { toMicros } from '../../src/engine/index.js';
import { STORES, openDb } from '../helpers.js';

async function exported(db: KoruDelta, at?: string): Promise<ExportRecord[]> {
  const out: ExportRecord[] = [];
  for await (const r of db.exportVersions(at === undefined ? {} : { at })) out.push(r);
  return out;
}

for (const kind of STORES) {
  describe(`import lineage (${kind})`, () => {
    it('a snapshot export imports into a database that verifies, and the rest of the history can follow', async () => {
      const src = await openDb(kind);
      await src.put('a', 'x', { v: 1 });
      await src.put('a', 'x', { v: 2 });
      const y = await src.put('a', 'y', { v: 1 });
      const dst = await openDb(kind);
      assert.deepEqual(await dst.importVersions(await exported(src, y.timestamp)), { imported: 2, skipped: 0 });
      assert.equal((await dst.verify()).ok, true, JSON.stringify((await dst.verify()).issues));
      assert.equal((await dst.history('a', 'x')).length, 1);
      await dst.put('a', 'x', { v: 3 });
      assert.equal((await dst.verify()).ok, true);
      // The full history fills in what the snapshot left behind.
      assert.deepEqual(await dst.importVersions(await exported(src)), { imported: 1, skipped: 2 });
      assert.deepEqual((await dst.history('a', 'x')).map((v) => v.value), [{ v: 1 }, { v: 2 }, { v: 3 }]);
      assert.equal((await dst.verify()).ok, true);
    });

    it('another node\'s history of a key this database also wrote imports side by side and verifies', async () => {
      const a = await openDb(kind);
      const b = await openDb(kind);
      await a.put('u', 'k', 'a1');
      await b.put('u', 'k', 'b1');
      const a2 = await a.put('u', 'k', 'a2');
      assert.deepEqual(await b.importVersions(await exported(a)), { imported: 2, skipped: 0 });
      const report = await b.verify();
      assert.equal(report.ok, true, JSON.stringify(report.issues));
      assert.deepEqual((await b.history('u', 'k')).map((v) => v.value), ['a1', 'b1', 'a2']);
      // The head is the newest version (DESIGN §3: latest timestamp wins).
      assert.equal((await b.get('u', 'k')).versionId, a2.versionId);
    });

    it('a parentless version from a node that already has a version of the key is still a broken chain', async () => {
      const src = await openDb(kind);
      const first = await src.put('u', 'k', 1);
      const [record] = await exported(src);
      const micros = toMicros(first.timestamp) + 10;
      const timestamp = new Date(Math.floor(micros / 1000)).toISOString().replace('Z', `${String(micros % 1000).padStart(3, '0')}Z`);
      const versionId = versionIdOf(record.origin, 'u', 'k', micros, record.contentHash, false, []);
      const dst = await openDb(kind);
      await dst.importVersions([record, { ...record, versionId, timestamp, parents: [], previousVersion: null }]);
      const report = await dst.verify();
      assert.equal(report.ok, false);
      assert.deepEqual(report.issues.map((i) => [i.kind, i.versionId]), [['broken-chain', versionId]]);
    });
  });
}
