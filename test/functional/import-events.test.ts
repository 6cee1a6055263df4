import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChangeEvent, ExportRecord } from '../../src/index.js';
import { STORES, openDb } from '../helpers.js';

const brief = (e: ChangeEvent) => [e.seq, e.changeType, e.value, e.previousValue];

for (const kind of STORES) {
  describe(`events of imported versions (${kind})`, () => {
    it('live events of versions older than the head are the events a replay gives', async () => {
      const src = await openDb(kind);
      await src.put('ns', 'a', 'old1');
      await src.put('ns', 'a', 'old2');
      await src.delete('ns', 'a');
      const records: ExportRecord[] = [];
      for await (const r of src.exportVersions()) records.push(r);
      const db = await openDb(kind);
      await db.put('ns', 'a', 'local-newest');
      const live: ChangeEvent[] = [];
      db.subscribe({}, (e) => void live.push(e));
      await db.importVersions(records);
      assert.equal((await db.get('ns', 'a')).value, 'local-newest');
      const replayed: ChangeEvent[] = [];
      for await (const e of db.watch({ since: 1 })) {
        replayed.push(e);
        if (e.seq === 4) break;
      }
      assert.deepEqual(live.map(brief), [[2, 'insert', 'old1', null], [3, 'update', 'old2', 'old1'], [4, 'delete', null, 'old2']]);
      assert.deepEqual(replayed.map(brief), live.map(brief));
    });
  });
}
