import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { STORES, openDb, rejectsWith } from '../helpers.js';

const PEOPLE = [
  { key: 'ann', value: { name: 'Ann', age: 31, city: 'Paris', tags: ['admin'], amount: 0.1 } },
  { key: 'bob', value: { name: 'Bob', age: 25, city: 'Lyon', tags: [], amount: 0.2 } },
  { key: 'cid', value: { name: 'Cid', age: 42, city: 'Paris', tags: ['ops', 'admin'] } },
  { key: 'dee', value: { name: 'Dee', city: 'Nice', amount: 5 } },
  { key: 'eve', value: { name: 'Eve', age: null, city: 'Lyon', amount: 'n/a' } },
];

for (const kind of STORES) {
  describe(`db.query (${kind})`, () => {
    async function seeded() {
      const db = await openDb(kind);
      await db.putBatch(PEOPLE.map((p) => ({ namespace: 'people', ...p })));
      await db.put('other', 'ann', { name: 'Not in people', age: 99 });
      return db;
    }

    it('filters (object or expression), sorts with missing last, pages, and counts all matches', async () => {
      const db = await seeded();
      const byObject = await db.query('people', { filter: { field: 'city', op: 'eq', value: 'Paris' } });
      assert.deepEqual(byObject.records.map((r) => r.key), ['ann', 'cid']);
      const byExpr = await db.query('people', { filter: 'city = Paris or age < 26' });
      assert.deepEqual(byExpr.records.map((r) => r.key), ['ann', 'bob', 'cid']);
      const sorted = await db.query('people', { sort: [{ field: 'age', order: 'desc' }], limit: 2, offset: 1 });
      assert.deepEqual(sorted.records.map((r) => r.key), ['ann', 'bob']);
      assert.equal(sorted.totalCount, 5);
      const asc = await db.query('people', { sort: [{ field: 'age' }] });
      assert.deepEqual(asc.records.map((r) => r.key), ['bob', 'ann', 'cid', 'dee', 'eve']);
      const unsorted = await db.query('people', {});
      assert.deepEqual(unsorted.records.map((r) => r.key), ['ann', 'bob', 'cid', 'dee', 'eve']);
      const r = unsorted.records[0];
      assert.equal(r.versionId, (await db.get('people', 'ann')).versionId);
      assert.equal(r.timestamp, (await db.get('people', 'ann')).timestamp);
    });

    it('aggregates over all matches, not the page; projection shapes only returned records', async () => {
      const db = await seeded();
      const sum = await db.query('people', { aggregate: { op: 'sum', field: 'amount' }, limit: 1, project: ['name'] });
      assert.ok(Math.abs((sum.aggregation as number) - 5.3) < 1e-9);
      assert.deepEqual(sum.records.map((x) => x.value), [{ name: 'Ann' }]);
      assert.equal((await db.query('people', { aggregate: { op: 'count' } })).aggregation, 5);
      assert.equal((await db.query('people', { aggregate: { op: 'avg', field: 'age' } })).aggregation, (31 + 25 + 42) / 3);
      assert.equal((await db.query('people', { filter: 'city = Nowhere', aggregate: { op: 'avg', field: 'age' } })).aggregation, null);
      const grouped = await db.query('people', { aggregate: { op: 'groupBy', field: 'city', aggregations: { n: { op: 'count' }, oldest: { op: 'max', field: 'age' } } } });
      assert.deepEqual(grouped.aggregation, [
        { group: 'Lyon', values: { n: 2, oldest: 25 } },
        { group: 'Nice', values: { n: 1, oldest: null } },
        { group: 'Paris', values: { n: 2, oldest: 42 } },
      ]);
    });

    it('excludes deleted keys and runs as of a past time (at)', async () => {
      const db = await seeded();
      const before = await db.get('people', 'eve');
      await sleep(2);
      await db.delete('people', 'eve');
      await db.put('people', 'ann', { name: 'Ann', age: 32, city: 'Rome' });
      await db.put('people', 'fay', { name: 'Fay', city: 'Paris' });
      const now = await db.query('people', { filter: 'city = Paris' });
      assert.deepEqual(now.records.map((r) => r.key), ['cid', 'fay']);
      const then = await db.query('people', { filter: 'city = Paris', at: before.timestamp });
      assert.deepEqual(then.records.map((r) => r.key), ['ann', 'cid']);
      assert.equal((await db.query('people', { at: before.timestamp })).totalCount, 5);
      assert.equal((await db.query('people', {})).totalCount, 5);
    });

    it('rejects bad queries with INVALID_QUERY saying where, never a silent empty result', async () => {
      const db = await seeded();
      await rejectsWith(db.query('people', { filter: { field: 'a', op: 'like' as 'eq', value: 1 } }), 'INVALID_QUERY', 'filter.op');
      await rejectsWith(db.query('people', { filter: { field: 'a', op: 'matches', value: '(' } }), 'INVALID_QUERY');
      await rejectsWith(db.query('people', { filter: 'age >' }), 'INVALID_QUERY', 'column');
      await rejectsWith(db.query('people', { limit: -1 }), 'INVALID_QUERY', 'limit');
      await rejectsWith(db.query('_bad', {}), 'INVALID_NAMESPACE');
      assert.deepEqual((await db.query('empty', {})).records, []);
    });

    it('returned records are copies', async () => {
      const db = await seeded();
      const res = await db.query('people', { filter: 'name = Cid' });
      (res.records[0].value as { tags: string[] }).tags.push('mutated');
      assert.deepEqual(((await db.get('people', 'cid')).value as { tags: string[] }).tags, ['ops', 'admin']);
    });

    it('history accepts the same filters on versions', async () => {
      const db = await openDb(kind);
      for (let i = 0; i < 10; i++) await db.put('h', 'k', { i, even: i % 2 === 0 });
      const even = await db.history('h', 'k', { filter: 'even = true and i >= 4' });
      assert.deepEqual(even.map((v) => (v.value as { i: number }).i), [4, 6, 8]);
      // latest counts matching versions: the newest five are all over 3, yet three match.
      const latest = await db.history('h', 'k', { filter: { field: 'i', op: 'lt', value: 3 }, latest: 5 });
      assert.deepEqual(latest.map((v) => (v.value as { i: number }).i), [0, 1, 2]);
      await rejectsWith(db.history('h', 'k', { filter: 'i ~ 3' }), 'INVALID_QUERY');
    });

    // The 100,000-document scale is measured by bench/query.ts; bounded memory by the unit tests' peakHeld.
    it('filter + sort + limit over 20,000 documents in pages of 10,000', async () => {
      const db = await openDb(kind);
      for (let start = 0; start < 20_000; start += 10_000) {
        await db.putBatch(Array.from({ length: 10_000 }, (_, i) => ({ namespace: 'big', key: `d${String(start + i).padStart(6, '0')}`, value: { n: start + i, g: (start + i) % 7 } })));
      }
      const res = await db.query('big', { filter: 'g = 3', sort: [{ field: 'n', order: 'desc' }], limit: 3 });
      assert.equal(res.totalCount, 2_857);
      assert.deepEqual(res.records.map((r) => (r.value as { n: number }).n), [19_995, 19_988, 19_981]);
    });
  });
}
