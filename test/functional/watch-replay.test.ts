import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STORES, openDb } from '../helpers.js';

for (const kind of STORES) {
  describe(`watch replay (${kind})`, () => {
    it('replays a log longer than the buffer to a consumer that keeps up, then goes live', async () => {
      const db = await openDb(kind, { events: { maxBuffered: 100 } });
      await db.putBatch(Array.from({ length: 1000 }, (_, i) => ({ namespace: 'u', key: `k${i}`, value: i })));
      const seqs: number[] = [];
      for await (const e of db.watch({ namespace: 'u', since: 0 })) {
        seqs.push(e.seq);
        if (seqs.length === 1000) void db.put('u', 'live', true);
        if (seqs.length === 1001) break;
      }
      assert.deepEqual(seqs, Array.from({ length: 1001 }, (_, i) => i + 1));
    });

    it('a replay waits for a consumer that stops reading, holding no more than the buffer', async () => {
      const db = await openDb(kind, { events: { maxBuffered: 10 } });
      for (let i = 0; i < 30; i++) await db.put('u', `k${i}`, i);
      const it = db.watch({ since: 0 });
      assert.equal((await it.next()).value?.seq, 1);
      // Meanwhile the replay has stopped at the buffer's size instead of overflowing it, and live
      // writes go to the log it resumes from, not to the buffer.
      await new Promise((r) => setTimeout(r, 20));
      for (let i = 0; i < 30; i++) await db.put('v', `k${i}`, i);
      const seqs: number[] = [];
      for (;;) {
        const r = await it.next();
        seqs.push(r.value!.seq);
        if (r.value!.seq === 60) break;
      }
      assert.deepEqual(seqs, Array.from({ length: 59 }, (_, i) => i + 2));
      await it.return!();
    });
  });
}
