import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { toMicros } from '../../src/index.js';
import { STORES, openDb, rejectsWith } from '../helpers.js';

/** ISO string `micros` µs after `iso`. */
function plus(iso: string, micros: number): string {
  const t = toMicros(iso) + micros;
  const ms = Math.floor(t / 1000);
  return new Date(ms).toISOString().replace('Z', `${String(t - ms * 1000).padStart(3, '0')}Z`);
}

for (const kind of STORES) {
  describe(`time travel (${kind})`, () => {
    it('getAt(v.timestamp) returns exactly v; between versions the earlier; far future the latest', async () => {
      const db = await openDb(kind);
      const vs = [];
      for (let i = 0; i < 5; i++) {
        vs.push(await db.put('tt', 'k', { i }));
        await sleep(2);
      }
      for (const v of vs) assert.deepEqual(await db.getAt('tt', 'k', v.timestamp), v);
      assert.deepEqual(await db.getAt('tt', 'k', plus(vs[1].timestamp, 1)), vs[1]);
      assert.deepEqual(await db.getAt('tt', 'k', plus(vs[2].timestamp, -1)), vs[1]);
      assert.deepEqual(await db.getAt('tt', 'k', '9999-12-31T23:59:59Z'), vs[4]);
      await rejectsWith(db.getAt('tt', 'k', plus(vs[0].timestamp, -1)), 'NO_VALUE_AT_TIMESTAMP', 'tt/k');
      await rejectsWith(db.getAt('tt', 'k', '2000-01-01T00:00:00Z'), 'NO_VALUE_AT_TIMESTAMP');
    });

    it('getAt accepts Date, ISO with or without fractions, Z or offset, and epoch ms', async () => {
      const db = await openDb(kind);
      const a = await db.put('tt', 'k', 'a');
      await sleep(1100);
      const b = await db.put('tt', 'k', 'b');
      const bMs = Math.floor(toMicros(b.timestamp) / 1000) + 1;
      const bSec = new Date(Math.ceil(bMs / 1000) * 1000);
      assert.equal((await db.getAt('tt', 'k', new Date(bMs))).value, 'b');
      assert.equal((await db.getAt('tt', 'k', bMs)).value, 'b');
      assert.equal((await db.getAt('tt', 'k', bSec.toISOString().replace('.000Z', 'Z'))).value, 'b');
      assert.equal((await db.getAt('tt', 'k', new Date(bMs).toISOString())).value, 'b');
      // The same instant written with a +02:00 offset.
      const shifted = new Date(bSec.getTime() + 2 * 3600e3).toISOString().replace('.000Z', '+02:00');
      assert.equal((await db.getAt('tt', 'k', shifted)).value, 'b');
      const beforeB = new Date(Math.floor(toMicros(b.timestamp) / 1000) - 1);
      assert.equal((await db.getAt('tt', 'k', beforeB)).value, 'a');
      assert.equal((await db.getAt('tt', 'k', a.timestamp)).value, 'a');
      await rejectsWith(db.getAt('tt', 'k', 'yesterday-ish'), 'INVALID_TIME');
      await rejectsWith(db.getAt('tt', 'k', new Date(NaN)), 'INVALID_TIME');
    });

    it('history is oldest first with inclusive from/to, latest and limit, tombstones included', async () => {
      const db = await openDb(kind);
      const vs = [];
      for (let i = 0; i < 6; i++) vs.push(await db.put('h', 'k', i));
      vs.push(await db.delete('h', 'k'));
      const all = await db.history('h', 'k');
      assert.deepEqual(all, vs);
      assert.equal(all[6].deleted, true);
      assert.deepEqual(await db.history('h', 'k', { from: vs[2].timestamp, to: vs[4].timestamp }), vs.slice(2, 5));
      assert.deepEqual(await db.history('h', 'k', { latest: 3 }), vs.slice(4));
      assert.deepEqual(await db.history('h', 'k', { limit: 2 }), vs.slice(0, 2));
      assert.deepEqual(await db.history('h', 'k', { from: vs[1].timestamp, latest: 2, limit: 1 }), vs.slice(5, 6));
      assert.deepEqual(await db.history('h', 'k', { to: '2000-01-01T00:00:00Z' }), []);
    });
  });

  describe(`deletes (${kind})`, () => {
    it('a delete is a tombstone: gone from reads and lists, kept in history and time travel', async () => {
      const db = await openDb(kind);
      const v1 = await db.put('d', 'k', { alive: true });
      await db.put('d', 'other', 1);
      const t = await db.delete('d', 'k');
      assert.equal(t.deleted, true);
      assert.equal(t.value, null);
      assert.equal(t.previousVersion, v1.versionId);
      await rejectsWith(db.get('d', 'k'), 'KEY_NOT_FOUND', 'd/k');
      assert.equal(await db.contains('d', 'k'), false);
      assert.deepEqual(await db.listKeys('d'), ['other']);
      assert.equal((await db.stats()).keyCount, 1);
      assert.deepEqual(await db.getAt('d', 'k', v1.timestamp), v1);
      await rejectsWith(db.getAt('d', 'k', t.timestamp), 'KEY_NOT_FOUND');
      await rejectsWith(db.delete('d', 'k'), 'KEY_NOT_FOUND', 'd/k');
      await rejectsWith(db.delete('d', 'never'), 'KEY_NOT_FOUND', 'd/never');
      const revived = await db.put('d', 'k', { again: true });
      assert.equal(revived.previousVersion, t.versionId);
      assert.deepEqual((await db.get('d', 'k')).value, { again: true });
      assert.equal((await db.stats()).keyCount, 2);
      assert.equal((await db.history('d', 'k')).length, 3);
    });

    it('namespaces with no live keys disappear from listNamespaces and stats', async () => {
      const db = await openDb(kind);
      await db.put('gone', 'k', 1);
      await db.put('kept', 'k', 1);
      await db.delete('gone', 'k');
      assert.deepEqual(await db.listNamespaces(), ['kept']);
      const s = await db.stats();
      assert.equal(s.namespaceCount, 1);
      assert.equal(s.totalVersions, 3);
    });
  });
}
