import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JsonValue } from '../../../src/engine/types.js';
import {
  compileProjection,
  compileQuery,
  runQuery,
  runQueryAsync,
  validateQuery,
  type Query,
  type QueryRecord,
  type RunStats,
} from '../../../src/query/index.js';
import { assertInvalid, keysOf, records } from './helpers.js';

const people = records([
  ['ann', { name: 'Ann', age: 31, tags: ['admin'], address: { city: 'Oslo', zip: '0150' } }],
  ['bob', { name: 'Bob', age: 17, tags: [], address: { city: 'Bergen' } }],
  ['cat', { name: 'Cat', age: 45, tags: ['ops', 'admin'] }],
  ['dan', { name: 'Dan', age: 31, address: null }],
  ['eve', { name: 'Eve' }],
], true);

describe('runQuery', () => {
  test('an empty query returns every record in input (key) order', () => {
    const r = runQuery(people, {});
    assert.deepEqual(keysOf(r), ['ann', 'bob', 'cat', 'dan', 'eve']);
    assert.equal(r.totalCount, 5);
    assert.deepEqual(runQuery(people, undefined as unknown as Query).totalCount, 5);
  });
  test('filter (object or string), totalCount counts all matches before offset/limit', () => {
    const r = runQuery(people, { filter: 'age >= 18', offset: 1, limit: 1 });
    assert.deepEqual(keysOf(r), ['cat']);
    assert.equal(r.totalCount, 3);
    const o = runQuery(people, { filter: { field: 'tags', op: 'contains', value: 'admin' } });
    assert.deepEqual(keysOf(o), ['ann', 'cat']);
  });
  test('offset / limit without sort keep key order; past the end is empty', () => {
    assert.deepEqual(keysOf(runQuery(people, { offset: 3 })), ['dan', 'eve']);
    assert.deepEqual(keysOf(runQuery(people, { limit: 2 })), ['ann', 'bob']);
    assert.deepEqual(keysOf(runQuery(people, { offset: 10, limit: 2 })), []);
    assert.deepEqual(keysOf(runQuery(people, { limit: 0 })), []);
    assert.equal(runQuery(people, { offset: 10, limit: 0 }).totalCount, 5);
  });
  test('sort + filter + paging: records missing the field come last', () => {
    const q: Query = { filter: 'not name = Bob', sort: [{ field: 'age', order: 'desc' }] };
    assert.deepEqual(keysOf(runQuery(people, q)), ['cat', 'ann', 'dan', 'eve']);
    assert.deepEqual(keysOf(runQuery(people, { ...q, offset: 1, limit: 2 })), ['ann', 'dan']);
    assert.deepEqual(keysOf(runQuery(people, { ...q, sort: [{ field: 'age' }] })), ['ann', 'dan', 'cat', 'eve']);
  });
  test('returns records of exactly the public shape, values shared not copied', () => {
    const input: Array<QueryRecord & { extra: number }> = people.map((r) => ({ ...r, extra: 1 }));
    const [first] = runQuery(input, { limit: 1 }).records;
    assert.deepEqual(Object.keys(first).sort(), ['key', 'timestamp', 'value', 'versionId']);
    assert.equal(first.value, input[0].value);
    assert.equal(first.versionId, input[0].versionId);
  });
  test('an invalid query throws before any record is read', () => {
    let read = 0;
    function* gen(): Generator<QueryRecord> {
      read++;
      yield* people;
    }
    assertInvalid(() => runQuery(gen(), { filter: 'age >' }), 'column');
    assert.equal(read, 0);
  });
  test('a compiled query is reusable', () => {
    const q = compileQuery({ filter: 'age < 40', sort: [{ field: 'name', order: 'desc' }], aggregate: { op: 'count' } });
    assert.equal(compileQuery(q), q);
    assert.deepEqual(runQuery(people, q).aggregation, 3);
    assert.deepEqual(keysOf(runQuery(people.slice(0, 2), q)), ['bob', 'ann']);
  });
  test('runQueryAsync gives the same result over an async stream', async () => {
    async function* stream(): AsyncGenerator<QueryRecord> {
      for (const r of people) yield await Promise.resolve(r);
    }
    const q: Query = { filter: 'age exists', sort: [{ field: 'age' }], limit: 2, aggregate: { op: 'avg', field: 'age' } };
    assert.deepEqual(await runQueryAsync(stream(), q), runQuery(people, q));
    assert.deepEqual(await runQueryAsync(people, q), runQuery(people, q));
    await assert.rejects(runQueryAsync(stream(), { limit: -1 }), { code: 'INVALID_QUERY' });
  });
});

describe('projection', () => {
  test('keeps only the given paths, nested; missing paths are omitted', () => {
    const r = runQuery(people, { project: ['name', 'address.city', 'nope'] });
    assert.deepEqual(r.records.map((x) => x.value), [
      { name: 'Ann', address: { city: 'Oslo' } },
      { name: 'Bob', address: { city: 'Bergen' } },
      { name: 'Cat' },
      { name: 'Dan' },
      { name: 'Eve' },
    ]);
  });
  test('shapes only the returned records: sort, filter and aggregation see whole documents', () => {
    const r = runQuery(people, {
      filter: 'address.city exists',
      sort: [{ field: 'age' }],
      project: ['name'],
      aggregate: { op: 'sum', field: 'age' },
    });
    assert.deepEqual(r.records.map((x) => x.value), [{ name: 'Bob' }, { name: 'Ann' }]);
    assert.equal(r.aggregation, 48);
    assert.deepEqual(Object.keys(people[0].value as object), ['name', 'age', 'tags', 'address'], 'input untouched');
  });
  test('paths through arrays, overlapping paths, null and scalar documents', () => {
    const p = compileProjection(['items.1.x', 'items.0', 'a', 'a.b', 'n.m']);
    const doc: JsonValue = { items: [{ x: 1, y: 2 }, { x: 3, y: 4 }, { x: 5 }], a: { b: 1, c: 2 }, n: null, z: 1 };
    assert.deepEqual(p(doc), { items: [{ x: 1, y: 2 }, { x: 3 }], a: { b: 1, c: 2 } });
    assert.deepEqual(p({ items: [{ y: 1 }, { y: 2 }] }), { items: [{ y: 1 }] });
    assert.deepEqual(p({}), {});
    assert.deepEqual(p(7), {});
    assert.deepEqual(compileProjection(['1'])(['a', 'b']), ['b']);
    assert.deepEqual(compileProjection([])({ a: 1 }), {});
    assert.deepEqual(compileProjection(['v'])({ v: null }), { v: null });
    const proto = JSON.parse('{"__proto__": {"x": 1}}') as JsonValue;
    assert.deepEqual(Object.keys(compileProjection(['__proto__'])(proto) as object), ['__proto__']);
  });
});

describe('validateQuery: INVALID_QUERY naming the member', () => {
  const cases: Array<[string, unknown, string[]]> = [
    ['not an object', [1], ['query', 'an array']],
    ['unknown member', { filter: 'a = 1', sortBy: [] }, ['sortBy', 'unknown']],
    ['negative limit', { limit: -1 }, ['limit', '-1']],
    ['fractional offset', { offset: 1.5 }, ['offset', '1.5']],
    ['string limit', { limit: '10' }, ['limit', '"10"']],
    ['infinite limit', { limit: Infinity }, ['limit']],
    ['sort not an array', { sort: { field: 'a' } }, ['sort', 'array']],
    ['sort entry', { sort: [{ field: 'a' }, 'b'] }, ['sort[1]']],
    ['sort order', { sort: [{ field: 'a', order: 'up' }] }, ['sort[0].order', '"up"']],
    ['sort field', { sort: [{ order: 'asc' }] }, ['sort[0].field']],
    ['sort extra key', { sort: [{ field: 'a', dir: 'asc' }] }, ['sort[0].dir']],
    ['project not an array', { project: 'a' }, ['project']],
    ['project path', { project: ['a', ''] }, ['project[1]', 'empty']],
    ['filter', { filter: { or: [{ field: 'a', op: 'eq', value: 1 }, { field: 'b', op: 'in', value: 'x' }] } }, ['filter.or[1].value']],
    ['filter expression', { filter: 'a = 1 and (b = 2' }, ['filter, column 17']],
  ];
  for (const [name, query, fragments] of cases) {
    test(name, () => {
      assertInvalid(() => validateQuery(query), ...fragments);
      assertInvalid(() => runQuery(people, query as Query), ...fragments);
    });
  }
  test('at of the wrong type is INVALID_TIME, as every other time input', () => {
    for (const run of [() => validateQuery({ at: {} } as Query), () => runQuery(people, { at: {} } as Query)]) {
      assert.throws(run, (err: unknown) => (err as { code?: string }).code === 'INVALID_TIME' && /query\.at/.test((err as Error).message));
    }
  });
  test('normalizes: defaults filled, expressions parsed, null members treated as absent', () => {
    assert.deepEqual(validateQuery({ filter: 'a = 1', sort: [{ field: 'x' }], limit: 5, at: 123, project: null }), {
      filter: { field: 'a', op: 'eq', value: 1 },
      sort: [{ field: 'x', order: 'asc' }],
      offset: 0,
      limit: 5,
      at: 123,
    });
    assert.deepEqual(validateQuery(null), { sort: [], offset: 0 });
  });
});

describe('scale: filter + sort + limit over 100,000 records holds bounded memory', () => {
  function* generate(n: number): Generator<QueryRecord> {
    // A fixed LCG, so the data is pseudo-random but the same on every run.
    let seed = 42;
    for (let i = 0; i < n; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      yield {
        key: `doc${String(i).padStart(6, '0')}`,
        value: { score: seed % 10_000, group: `g${seed % 7}`, active: seed % 3 !== 0 },
        versionId: `v${i}`,
        timestamp: '2026-01-01T00:00:00.000000Z',
      };
    }
  }

  test('the heap never holds more than offset + limit records, and the page is right', () => {
    const stats: RunStats = { scanned: 0, peakHeld: 0 };
    const q: Query = { filter: 'active = true', sort: [{ field: 'score', order: 'desc' }], offset: 5, limit: 10 };
    const r = runQuery(generate(100_000), q, stats);
    assert.equal(stats.scanned, 100_000);
    assert.ok(stats.peakHeld <= 15, `held ${stats.peakHeld}`);
    assert.equal(r.records.length, 10);
    const all = [...generate(100_000)].filter((x) => (x.value as { active: boolean }).active);
    assert.equal(r.totalCount, all.length);
    const expected = all
      .map((x, i) => ({ x, i }))
      .sort((a, b) => (b.x.value as { score: number }).score - (a.x.value as { score: number }).score || a.i - b.i)
      .slice(5, 15)
      .map(({ x }) => x.key);
    assert.deepEqual(keysOf(r), expected);
  });

  test('without sort only the page is held', () => {
    const stats: RunStats = { scanned: 0, peakHeld: 0 };
    const r = runQuery(generate(100_000), { filter: 'group = g3', offset: 100, limit: 10, aggregate: { op: 'count' } }, stats);
    assert.ok(stats.peakHeld <= 10, `held ${stats.peakHeld}`);
    assert.equal(r.records.length, 10);
    assert.equal(r.aggregation, r.totalCount);
  });
});
