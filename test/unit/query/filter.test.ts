import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JsonValue } from '../../../src/engine/types.js';
import { compileFilter, validateFilter, type Filter } from '../../../src/query/index.js';
import { assertInvalid } from './helpers.js';

function matches(filter: Filter | string, doc: JsonValue): boolean {
  return compileFilter(filter)(doc);
}

// [value, doc, expected]: one table per operator so every edge case is a row.
type Row = [JsonValue | undefined, JsonValue, boolean];
function table(op: string, rows: Row[], field = 'f'): void {
  for (const [value, doc, expected] of rows) {
    test(`${op} ${JSON.stringify(value)} on ${JSON.stringify(doc)} → ${expected}`, () => {
      const filter = { field, op, ...(value === undefined ? {} : { value }) } as Filter;
      assert.equal(matches(filter, doc), expected);
    });
  }
}

describe('eq', () => {
  table('eq', [
    [1, { f: 1 }, true],
    [1, { f: 1.0 }, true],
    [0, { f: -0 }, true],
    [1, { f: '1' }, false],
    [true, { f: 1 }, false],
    ['a', { f: 'a' }, true],
    [null, { f: null }, true],
    [null, {}, false],
    [null, { f: 0 }, false],
    [1, {}, false],
    [{ a: 1, b: [1, 2] }, { f: { b: [1, 2], a: 1 } }, true],
    [{ a: 1 }, { f: { a: 1, b: 2 } }, false],
    [[1, 2], { f: [1, 2] }, true],
    [[1, 2], { f: [2, 1] }, false],
    [[1, 2], { f: [1, 2, 3] }, false],
    [{}, { f: [] }, false],
  ]);
});

describe('ne', () => {
  table('ne', [
    [1, { f: 2 }, true],
    [1, { f: 1 }, false],
    [1, {}, true],
    [null, {}, true],
    [null, { f: null }, false],
    [1, { f: '1' }, true],
    [{ a: 1 }, { f: { a: 1 } }, false],
  ]);
});

describe('gt / gte / lt / lte compare same types only', () => {
  table('gt', [
    [3, { f: 4 }, true],
    [3, { f: 3 }, false],
    [3, { f: '4' }, false],
    [3, {}, false],
    [3, { f: null }, false],
    ['b', { f: 'c' }, true],
    ['b', { f: 'B' }, false],
    ['b', { f: 3 }, false],
    [false, { f: true }, true],
    [true, { f: false }, false],
    [-1e308, { f: 1e308 }, true],
  ]);
  table('gte', [
    [3, { f: 3 }, true],
    [3, { f: 2.999 }, false],
    ['a', { f: 'a' }, true],
    [true, { f: true }, true],
    [false, { f: 0 }, false],
  ]);
  table('lt', [
    [3, { f: 2 }, true],
    [3, { f: [1] }, false],
    ['b', { f: 'a' }, true],
    ['b', { f: 'ab' }, true],
    ['a', { f: '' }, true],
    [true, { f: false }, true],
  ]);
  table('lte', [
    [3, { f: 3 }, true],
    [3, { f: 4 }, false],
    ['', { f: '' }, true],
  ]);
  test('strings compare by code point, not UTF-16 unit (astral after U+FFFF range)', () => {
    // '\uFF5E' (BMP, U+FF5E) < '😀' (U+1F600) by code point, though its UTF-16 unit is larger.
    assert.equal(matches({ field: 'f', op: 'gt', value: '\uFF5E' }, { f: '😀' }), true);
    assert.equal(matches({ field: 'f', op: 'lt', value: '😀' }, { f: '\uFF5E' }), true);
    assert.equal(matches({ field: 'f', op: 'lt', value: 'é' }, { f: 'z' }), true);
  });
});

describe('in', () => {
  table('in', [
    [[1, 2], { f: 2 }, true],
    [[1, 2], { f: 3 }, false],
    [[1, 2], { f: '1' }, false],
    [[], { f: 1 }, false],
    [[null], { f: null }, true],
    [[null], {}, false],
    [[{ a: 1 }, [1]], { f: { a: 1 } }, true],
    [[{ a: 1 }, [1]], { f: [1] }, true],
    [[{ a: 1 }], { f: { a: 2 } }, false],
  ]);
});

describe('contains', () => {
  table('contains', [
    ['ell', { f: 'hello' }, true],
    ['', { f: 'x' }, true],
    ['z', { f: 'hello' }, false],
    [1, { f: 'a1' }, false],
    [2, { f: [1, 2, 3] }, true],
    ['2', { f: [1, 2, 3] }, false],
    [{ a: 1 }, { f: [{ a: 1 }, 2] }, true],
    [[1], { f: [[1], 2] }, true],
    [null, { f: [null] }, true],
    ['k', { f: { k: 0 } }, true],
    ['k', { f: { j: 0 } }, false],
    ['constructor', { f: {} }, false],
    [1, { f: { 1: true } }, false],
    ['x', {}, false],
    ['x', { f: null }, false],
    [1, { f: 1 }, false],
  ]);
});

describe('exists', () => {
  table('exists', [
    [undefined, { f: 0 }, true],
    [undefined, { f: false }, true],
    [undefined, { f: '' }, true],
    [undefined, { f: null }, false],
    [undefined, {}, false],
    [true, { f: 1 }, true],
  ]);
  test('does not see the prototype', () => {
    assert.equal(matches({ field: 'constructor', op: 'exists' }, {}), false);
    assert.equal(matches({ field: '__proto__', op: 'exists' }, {}), false);
    assert.equal(matches({ field: 'toString', op: 'eq', value: 'x' }, {}), false);
  });
});

describe('matches', () => {
  test('tests JS regular expressions against strings only', () => {
    assert.equal(matches({ field: 'f', op: 'matches', value: '^a.c$' }, { f: 'abc' }), true);
    assert.equal(matches({ field: 'f', op: 'matches', value: '^A' }, { f: 'abc' }), false);
    assert.equal(matches({ field: 'f', op: 'matches', value: '^A', flags: 'i' }, { f: 'abc' }), true);
    assert.equal(matches({ field: 'f', op: 'matches', value: '1' }, { f: 1 }), false);
    assert.equal(matches({ field: 'f', op: 'matches', value: '' }, {}), false);
    assert.equal(matches({ field: 'f', op: 'matches', value: '^\\p{Lu}', flags: 'u' }, { f: 'Élan' }), true);
  });
  test('g and y flags do not make results depend on the previous document', () => {
    const p = compileFilter({ field: 'f', op: 'matches', value: 'a', flags: 'gy' });
    assert.deepEqual([p({ f: 'a' }), p({ f: 'a' }), p({ f: 'ba' })], [true, true, true]);
  });
});

describe('combinators', () => {
  const one = { field: 'a', op: 'eq', value: 1 } as const;
  const two = { field: 'b', op: 'eq', value: 2 } as const;
  test('and([]) is true, or([]) is false', () => {
    assert.equal(matches({ and: [] }, {}), true);
    assert.equal(matches({ or: [] }, {}), false);
    assert.equal(matches({ not: { or: [] } }, {}), true);
  });
  test('and / or / not of one, two and many parts', () => {
    const doc = { a: 1, b: 3 };
    assert.equal(matches({ and: [one] }, doc), true);
    assert.equal(matches({ and: [one, two] }, doc), false);
    assert.equal(matches({ or: [one, two] }, doc), true);
    assert.equal(matches({ or: [two, two, one] }, doc), true);
    assert.equal(matches({ and: [one, one, two] }, doc), false);
    assert.equal(matches({ not: two }, doc), true);
    assert.equal(matches({ not: { not: one } }, doc), true);
  });
});

describe('dot paths', () => {
  const doc = { a: { b: [{ x: 1 }, { x: 2 }], '1': 'key' }, items: [10, 20] };
  test('numeric segments index arrays, and are plain keys on objects', () => {
    assert.equal(matches({ field: 'a.b.1.x', op: 'eq', value: 2 }, doc), true);
    assert.equal(matches({ field: 'items.0', op: 'eq', value: 10 }, doc), true);
    assert.equal(matches({ field: 'a.1', op: 'eq', value: 'key' }, doc), true);
    assert.equal(matches({ field: 'items.2', op: 'exists' }, doc), false);
    assert.equal(matches({ field: 'items.01', op: 'exists' }, doc), false);
    assert.equal(matches({ field: 'items.length', op: 'exists' }, doc), false);
    assert.equal(matches({ field: 'a.b.x', op: 'exists' }, doc), false);
    assert.equal(matches({ field: 'items.0.x', op: 'ne', value: 1 }, doc), true);
  });
  test('a non-object document has no fields', () => {
    assert.equal(matches({ field: 'a', op: 'exists' }, 5), false);
    assert.equal(matches({ field: '0', op: 'eq', value: 'x' }, ['x']), true);
  });
});

describe('validation: INVALID_QUERY naming the path', () => {
  const cases: Array<[string, unknown, string[]]> = [
    ['unknown op', { and: [{ field: 'a', op: 'eq', value: 1 }, { field: 'b', op: 'eq', value: 1 }, { field: 'c', op: 'like', value: 1 }] }, ['filter.and[2].op', 'like']],
    ['missing op', { field: 'a', value: 1 }, ['filter.op', 'missing']],
    ['missing field', { op: 'eq', value: 1 }, ['filter.field', 'missing']],
    ['empty field', { field: '', op: 'exists' }, ['filter.field', 'empty']],
    ['empty segment', { not: { field: 'a..b', op: 'exists' } }, ['filter.not.field', 'a..b']],
    ['field not a string', { field: 3, op: 'exists' }, ['filter.field']],
    ['missing value', { field: 'a', op: 'eq' }, ['filter.value', 'eq needs a value']],
    ['in without array', { or: [{ field: 'a', op: 'in', value: 3 }] }, ['filter.or[0].value', 'array']],
    ['gt with an object', { field: 'a', op: 'gt', value: { x: 1 } }, ['filter.value', 'gt']],
    ['gt with null', { field: 'a', op: 'gt', value: null }, ['filter.value']],
    ['invalid regex', { field: 'a', op: 'matches', value: '(' }, ['filter.value', 'invalid regular expression']],
    ['invalid flags', { field: 'a', op: 'matches', value: 'a', flags: 'q' }, ['filter.value', 'q']],
    ['flags not a string', { field: 'a', op: 'matches', value: 'a', flags: 1 }, ['filter.flags']],
    ['flags on eq', { field: 'a', op: 'eq', value: 'a', flags: 'i' }, ['filter.flags']],
    ['matches a number', { field: 'a', op: 'matches', value: 1 }, ['filter.value']],
    ['exists with false', { field: 'a', op: 'exists', value: false }, ['filter.value', 'not']],
    ['extra key', { field: 'a', op: 'eq', value: 1, vlaue: 2 }, ['filter.vlaue']],
    ['and beside field', { and: [], field: 'a' }, ['filter.field']],
    ['and not an array', { and: { field: 'a', op: 'exists' } }, ['filter.and', 'array']],
    ['not an object', { not: [] }, ['filter.not']],
    ['empty object', {}, ['filter', 'empty']],
    ['unknown keys', { where: 1 }, ['filter', 'where']],
    ['a number', 42, ['filter', '42']],
    ['null', null, ['filter']],
    ['NaN value', { field: 'a', op: 'eq', value: NaN }, ['filter.value']],
    ['nested non-JSON value', { field: 'a', op: 'in', value: [1, { d: new Date(0) }] }, ['filter.value[1].d', 'Date']],
    ['undefined in an array value', { field: 'a', op: 'eq', value: [undefined] }, ['filter.value[0]']],
    ['a bad expression', 'a = ', ['filter', 'column 5']],
  ];
  for (const [name, filter, fragments] of cases) {
    test(name, () => assertInvalid(() => compileFilter(filter as Filter), ...fragments));
  }
  test('uses the caller\'s location', () => {
    assertInvalid(() => compileFilter({ field: 'a', op: 'nope' } as never, 'history.filter'), 'history.filter.op');
  });
  test('rejects filters nested too deeply instead of overflowing the stack', () => {
    let f: Filter = { field: 'a', op: 'exists' };
    for (let i = 0; i < 10_000; i++) f = { not: f };
    assertInvalid(() => compileFilter(f), 'deep');
  });
  test('validateFilter returns a clean copy and parses strings', () => {
    assert.deepEqual(validateFilter({ field: 'a', op: 'exists' }), { field: 'a', op: 'exists' });
    assert.deepEqual(validateFilter('a = 1'), { field: 'a', op: 'eq', value: 1 });
  });
});
