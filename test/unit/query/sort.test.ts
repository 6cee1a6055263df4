import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { JsonValue } from '../../../src/engine/types.js';
import { compareStrings, compareValues, runQuery, sortDocuments, TopK, type SortSpec } from '../../../src/query/index.js';
import { keysOf, records } from './helpers.js';

const byField = (values: JsonValue[], specs: SortSpec[]): JsonValue[] =>
  sortDocuments(values, specs, (v) => v).map((v) => (v as { f?: JsonValue }).f ?? '∅');

describe('compareStrings', () => {
  test('orders by code point (UTF-8 byte order), unlike UTF-16 `<`', () => {
    const astral = '😀'; // U+1F600, surrogates D83D DE00
    const highBmp = '\uFFFD';
    assert.ok(highBmp > astral, 'UTF-16 order puts the astral char first');
    assert.ok(compareStrings(astral, highBmp) > 0);
    assert.ok(compareStrings('a', 'b') < 0);
    assert.ok(compareStrings('ab', 'a') > 0);
    assert.equal(compareStrings('é', 'é'), 0);
    assert.ok(compareStrings('Z', 'a') < 0, 'no locale collation');
  });
  test('agrees with UTF-8 byte order on random strings (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        const bytes = Buffer.compare(Buffer.from(a), Buffer.from(b));
        assert.equal(Math.sign(compareStrings(a, b)), bytes);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('compareValues', () => {
  test('orders types: numbers, strings, booleans, arrays, objects, null', () => {
    const values: JsonValue[] = [null, { a: 1 }, [1], true, 'a', 1, false, [], {}];
    const sorted = values.sort(compareValues);
    assert.deepEqual(sorted, [1, 'a', false, true, [], [1], {}, { a: 1 }, null]);
  });
  test('is 0 exactly for deep-equal values', () => {
    assert.equal(compareValues({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), 0);
    assert.equal(compareValues({ a: 1, b: 2 }, { b: 2, a: 1 }), 0);
    assert.notEqual(compareValues({ a: 1 }, { a: 2 }), 0);
    assert.notEqual(compareValues([1, 2], [1]), 0);
  });
});

describe('sort', () => {
  const docs: JsonValue[] = [{ f: 3 }, { f: null }, { f: 1 }, {}, { f: 2 }];
  test('missing and null come last in both directions', () => {
    assert.deepEqual(byField(docs, [{ field: 'f' }]), [1, 2, 3, '∅', '∅']);
    assert.deepEqual(byField(docs, [{ field: 'f', order: 'desc' }]), [3, 2, 1, '∅', '∅']);
  });
  test('mixed types order by type: numbers, strings, booleans, others (desc reverses)', () => {
    const mixed: JsonValue[] = [{ f: true }, { f: 'b' }, { f: [1] }, { f: 2 }, {}, { f: 'a' }, { f: { x: 1 } }, { f: 1 }, { f: false }];
    assert.deepEqual(byField(mixed, [{ field: 'f' }]), [1, 2, 'a', 'b', false, true, [1], { x: 1 }, '∅']);
    assert.deepEqual(byField(mixed, [{ field: 'f', order: 'desc' }]), [{ x: 1 }, [1], true, false, 'b', 'a', 2, 1, '∅']);
  });
  test('strings sort by code point, not locale', () => {
    const s: JsonValue[] = ['b', 'B', 'á', 'a', '😀', '\uFFFD'].map((f) => ({ f }));
    assert.deepEqual(byField(s, [{ field: 'f' }]), ['B', 'a', 'b', 'á', '\uFFFD', '😀']);
  });
  test('is stable and multi-key; ties keep key order', () => {
    const rs = records([
      ['a', { g: 1, n: 2 }], ['b', { g: 2, n: 1 }], ['c', { g: 1, n: 1 }], ['d', { g: 1, n: 2 }], ['e', { g: 2 }], ['f', { g: 1, n: 2 }],
    ], true);
    assert.deepEqual(keysOf(runQuery(rs, { sort: [{ field: 'g' }, { field: 'n', order: 'desc' }] })), ['a', 'd', 'f', 'c', 'b', 'e']);
    assert.deepEqual(keysOf(runQuery(rs, { sort: [{ field: 'g', order: 'desc' }] })), ['b', 'e', 'a', 'c', 'd', 'f']);
    assert.deepEqual(keysOf(runQuery(rs, { sort: [{ field: 'g' }], offset: 1, limit: 2 })), ['c', 'd']);
  });
  test('dot paths and array indexes as sort keys', () => {
    const rs = records([{ p: { q: [5, 1] } }, { p: { q: [4, 2] } }, { p: { q: [] } }, { p: 1 }]);
    assert.deepEqual(keysOf(runQuery(rs, { sort: [{ field: 'p.q.1' }] })), ['k000', 'k001', 'k002', 'k003']);
    assert.deepEqual(keysOf(runQuery(rs, { sort: [{ field: 'p.q.0', order: 'desc' }] })), ['k000', 'k001', 'k002', 'k003']);
    assert.deepEqual(keysOf(runQuery(rs, { sort: [{ field: 'p.q.0' }] })), ['k001', 'k000', 'k002', 'k003']);
  });
});

describe('top-k', () => {
  test('TopK keeps the k smallest, never more than k', () => {
    const top = new TopK<number>(3, (a, b) => a - b);
    for (const n of [5, 1, 9, 3, 7, 2, 8]) {
      top.offer(n);
      assert.ok(top.size <= 3);
    }
    assert.deepEqual(top.sorted(), [1, 2, 3]);
    const none = new TopK<number>(0, (a, b) => a - b);
    assert.equal(none.offer(1), false);
    assert.deepEqual(none.sorted(), []);
  });

  const value: fc.Arbitrary<JsonValue> = fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom('a', 'b', 'B', true, false, null, [1], { x: 1 }));
  const doc = fc.record({ a: value, b: value }, { requiredKeys: [] });
  const spec = fc.record({ field: fc.constantFrom('a', 'b'), order: fc.constantFrom('asc' as const, 'desc' as const) });

  test('sort + offset + limit through the heap equals a naive full stable sort (property)', () => {
    fc.assert(
      fc.property(
        fc.array(doc, { maxLength: 60 }),
        fc.array(spec, { minLength: 1, maxLength: 2 }),
        fc.nat(10),
        fc.nat(15),
        (docs, sort, offset, limit) => {
          const rs = records(docs);
          const heap = runQuery(rs, { sort, offset, limit });
          const naive = sortDocuments(rs, sort, (r) => r.value).slice(offset, offset + limit);
          assert.deepEqual(keysOf(heap), naive.map((r) => r.key));
          assert.deepEqual(keysOf(runQuery(rs, { sort })).slice(offset, offset + limit), keysOf(heap));
          assert.equal(heap.totalCount, docs.length);
        },
      ),
      { numRuns: 500 },
    );
  });

  test('the full sort is ordered and stable (checked pair by pair)', () => {
    fc.assert(
      fc.property(fc.array(doc, { maxLength: 30 }), fc.array(spec, { minLength: 1, maxLength: 2 }), (docs, sort) => {
        const rs = records(docs);
        const sorted = keysOf(runQuery(rs, { sort }));
        const at = (k: string) => rs.find((r) => r.key === k)!.value as Record<string, JsonValue>;
        for (let i = 1; i < sorted.length; i++) {
          const [x, y] = [at(sorted[i - 1]), at(sorted[i])];
          let decided = false;
          for (const { field, order } of sort) {
            const [u, v] = [x[field] ?? null, y[field] ?? null];
            if (u === null && v === null) continue;
            assert.ok(u !== null, 'missing/null last');
            const c = v === null ? -1 : compareValues(u, v) * (order === 'desc' ? -1 : 1);
            assert.ok(c <= 0, `${JSON.stringify(u)} before ${JSON.stringify(v)}`);
            if (c < 0) {
              decided = true;
              break;
            }
          }
          if (!decided) assert.ok(sorted[i - 1] < sorted[i], 'ties keep key order');
        }
      }),
      { numRuns: 300 },
    );
  });
});
