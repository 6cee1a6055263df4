import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { JsonValue } from '../../../src/engine/types.js';
import { aggregate, runQuery, validateAggregation, type Aggregation } from '../../../src/query/index.js';
import { assertInvalid, records } from './helpers.js';

const docs: JsonValue[] = [
  { n: 1, s: 'b', g: 'x' },
  { n: 2.5, s: 'a', g: 'y' },
  { n: '7', s: 3, g: 'x' },
  { n: null, g: null },
  { n: true, s: 'c' },
  { n: -4, s: 'a', g: 'y' },
];

describe('aggregations', () => {
  test('count counts documents; with a field, only present non-null values', () => {
    assert.equal(aggregate(docs, { op: 'count' }), 6);
    assert.equal(aggregate(docs, { op: 'count', field: 'g' }), 4);
    assert.equal(aggregate([], { op: 'count' }), 0);
  });
  test('sum adds numbers only, 0 when none', () => {
    assert.equal(aggregate(docs, { op: 'sum', field: 'n' }), -0.5);
    assert.equal(aggregate(docs, { op: 'sum', field: 'missing' }), 0);
    assert.equal(aggregate([{ n: '1' }, { n: true }], { op: 'sum', field: 'n' }), 0);
  });
  test('float sums are compensated: 0.1 + 0.2 ≈ 0.3, long sums do not drift', () => {
    const s = aggregate([{ n: 0.1 }, { n: 0.2 }], { op: 'sum', field: 'n' }) as number;
    assert.ok(Math.abs(s - 0.3) < 1e-15);
    const tenths = Array.from({ length: 1_000_000 }, () => ({ n: 0.1 }));
    assert.equal(aggregate(tenths, { op: 'sum', field: 'n' }), 100000);
    let naive = 0;
    for (const d of tenths) naive += d.n;
    assert.notEqual(naive, 100000, 'a plain loop drifts, so the test above can fail');
    assert.equal(aggregate([{ n: 1e100 }, { n: 1 }, { n: -1e100 }], { op: 'sum', field: 'n' }), 1);
  });
  test('a partial sum past the range of a number does not lose a representable total', () => {
    const big = [{ n: 1e308 }, { n: 1e308 }, { n: -1e308 }];
    assert.equal(aggregate(big, { op: 'sum', field: 'n' }), 1e308);
    assert.equal(aggregate(big, { op: 'avg', field: 'n' }), 1e308 / 3);
    assert.equal(aggregate([{ n: 1e308 }, { n: 1e308 }], { op: 'avg', field: 'n' }), 1e308);
    assert.equal(aggregate([{ n: -1.5e308 }, { n: -1.5e308 }], { op: 'avg', field: 'n' }), -1.5e308);
    assertInvalid(() => aggregate([{ n: 1e308 }, { n: 1e308 }], { op: 'sum', field: 'n' }), 'aggregate', 'sum of n', 'range');
    assertInvalid(
      () => aggregate([{ g: 1, n: -1e308 }, { g: 1, n: -1e308 }], { op: 'groupBy', field: 'g', aggregations: { total: { op: 'sum', field: 'n' } } }),
      'aggregate.aggregations.total', 'sum of n',
    );
  });
  test('avg = sum of numeric values / their count; null when none', () => {
    assert.equal(aggregate(docs, { op: 'avg', field: 'n' }), -0.5 / 3);
    assert.equal(aggregate(docs, { op: 'avg', field: 's' }), 3);
    assert.equal(aggregate(docs, { op: 'avg', field: 'missing' }), null);
    assert.equal(aggregate([], { op: 'avg', field: 'n' }), null);
  });
  test('min / max over numbers if any, else strings by code point, else null', () => {
    assert.equal(aggregate(docs, { op: 'min', field: 'n' }), -4);
    assert.equal(aggregate(docs, { op: 'max', field: 'n' }), 2.5);
    assert.equal(aggregate(docs, { op: 'min', field: 's' }), 3, 'a number wins over strings');
    const strings = [{ s: 'b' }, { s: 'Z' }, { s: '😀' }, { s: '\uFFFD' }, { s: true }];
    assert.equal(aggregate(strings, { op: 'min', field: 's' }), 'Z');
    assert.equal(aggregate(strings, { op: 'max', field: 's' }), '😀');
    assert.equal(aggregate([{ s: true }, { s: null }], { op: 'max', field: 's' }), null);
    assert.equal(aggregate([], { op: 'min', field: 's' }), null);
  });
  test('distinct: unique by deep equality, first-seen order, null kept, missing skipped', () => {
    const values: JsonValue[] = [{ v: 2 }, { v: 'a' }, {}, { v: { p: 1, q: 2 } }, { v: 2 }, { v: null }, { v: { q: 2, p: 1 } }, { v: '2' }, { v: [1] }, { v: [1] }];
    assert.deepEqual(aggregate(values, { op: 'distinct', field: 'v' }), [2, 'a', { p: 1, q: 2 }, null, '2', [1]]);
  });
  test('groupBy: groups by deep equality, missing joins null, ordered like sort with null last', () => {
    const result = aggregate(docs, {
      op: 'groupBy',
      field: 'g',
      aggregations: { count: { op: 'count' }, total: { op: 'sum', field: 'n' }, names: { op: 'distinct', field: 's' } },
    });
    assert.deepEqual(result, [
      { group: 'x', values: { count: 2, total: 1, names: ['b', 3] } },
      { group: 'y', values: { count: 2, total: -1.5, names: ['a'] } },
      { group: null, values: { count: 2, total: 0, names: ['c'] } },
    ]);
  });
  test('groupBy orders mixed group types numbers, strings, booleans, others, null', () => {
    const groups: JsonValue[] = [{ g: 'b' }, { g: true }, {}, { g: 10 }, { g: [1] }, { g: 'a' }, { g: 2 }, { g: { k: 1 } }, { g: false }, { g: { k: 1 } }];
    const result = aggregate(groups, { op: 'groupBy', field: 'g', aggregations: { c: { op: 'count' } } }) as Array<{ group: JsonValue; values: { c: number } }>;
    assert.deepEqual(result.map((r) => r.group), [2, 10, 'a', 'b', false, true, [1], { k: 1 }, null]);
    assert.equal(result[7].values.c, 2);
  });
  test('nested groupBy', () => {
    const rows = [{ a: 1, b: 'x' }, { a: 1, b: 'y' }, { a: 2, b: 'x' }, { a: 1, b: 'x' }];
    const inner: Aggregation = { op: 'groupBy', field: 'b', aggregations: { n: { op: 'count' } } };
    assert.deepEqual(aggregate(rows, { op: 'groupBy', field: 'a', aggregations: { byB: inner } }), [
      { group: 1, values: { byB: [{ group: 'x', values: { n: 2 } }, { group: 'y', values: { n: 1 } }] } },
      { group: 2, values: { byB: [{ group: 'x', values: { n: 1 } }] } },
    ]);
  });
  test('sum agrees with an exact rational reference on integers (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.string(), fc.constant(null)), { maxLength: 50 }), (ns) => {
        const expected = ns.reduce<number>((s, n) => (typeof n === 'number' ? s + n : s), 0);
        assert.equal(aggregate(ns.map((n) => ({ n })), { op: 'sum', field: 'n' }), expected);
      }),
    );
  });
});

describe('aggregation in a query sees every match, never the page', () => {
  const rs = records(Array.from({ length: 50 }, (_, i) => ({ i, even: i % 2 === 0 })));
  test('count, sum, distinct and groupBy ignore offset/limit/project but respect the filter', () => {
    const base = { filter: 'even = true', limit: 3, offset: 5, project: ['even'] } as const;
    assert.equal(runQuery(rs, { ...base, aggregate: { op: 'count' } }).aggregation, 25);
    assert.equal(runQuery(rs, { ...base, aggregate: { op: 'sum', field: 'i' } }).aggregation, 600);
    assert.equal(runQuery(rs, { ...base, sort: [{ field: 'i', order: 'desc' }], aggregate: { op: 'max', field: 'i' } }).aggregation, 48);
    assert.equal((runQuery(rs, { ...base, aggregate: { op: 'distinct', field: 'i' } }).aggregation as JsonValue[]).length, 25);
    const r = runQuery(rs, { limit: 1, aggregate: { op: 'groupBy', field: 'even', aggregations: { n: { op: 'count' } } } });
    assert.deepEqual(r.aggregation, [{ group: false, values: { n: 25 } }, { group: true, values: { n: 25 } }]);
    assert.equal(r.records.length, 1);
  });
  test('no aggregation member when none was asked for; limit 0 still aggregates', () => {
    assert.equal('aggregation' in runQuery(rs, {}), false);
    const r = runQuery(rs, { limit: 0, aggregate: { op: 'avg', field: 'i' } });
    assert.deepEqual(r, { records: [], totalCount: 50, aggregation: 24.5 });
  });
});

describe('aggregation validation', () => {
  const cases: Array<[string, unknown, string[]]> = [
    ['not an object', 'count', ['aggregate', '"count"']],
    ['missing op', { field: 'a' }, ['aggregate.op', 'missing']],
    ['unknown op', { op: 'median', field: 'a' }, ['aggregate.op', 'median']],
    ['sum without field', { op: 'sum' }, ['aggregate.field', 'sum needs a field']],
    ['bad field', { op: 'max', field: 'a..b' }, ['aggregate.field']],
    ['extra key', { op: 'count', fields: 'a' }, ['aggregate.fields']],
    ['groupBy without aggregations', { op: 'groupBy', field: 'g' }, ['aggregate.aggregations']],
    ['groupBy with an array', { op: 'groupBy', field: 'g', aggregations: [] }, ['aggregate.aggregations']],
    ['bad nested', { op: 'groupBy', field: 'g', aggregations: { total: { op: 'sum', field: 1 } } }, ['aggregate.aggregations.total.field']],
    ['aggregations on sum', { op: 'sum', field: 'a', aggregations: {} }, ['aggregate.aggregations']],
  ];
  for (const [name, input, fragments] of cases) {
    test(name, () => {
      assertInvalid(() => validateAggregation(input), ...fragments);
      assertInvalid(() => runQuery([], { aggregate: input as Aggregation }), ...fragments);
    });
  }
});
