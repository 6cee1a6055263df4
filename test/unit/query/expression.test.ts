import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { JsonValue } from '../../../src/engine/types.js';
import { compileFilter, parseExpression, type FieldFilter, type Filter } from '../../../src/query/index.js';
import { assertInvalid } from './helpers.js';

const eq = (field: string, value: JsonValue): Filter => ({ field, op: 'eq', value });

describe('parseExpression', () => {
  const cases: Array<[string, Filter]> = [
    ['a = 1', eq('a', 1)],
    ['a == 1', eq('a', 1)],
    ['a != 1', { field: 'a', op: 'ne', value: 1 }],
    ['a>1', { field: 'a', op: 'gt', value: 1 }],
    ['a >= -1.5e3', { field: 'a', op: 'gte', value: -1500 }],
    ['a<"x"', { field: 'a', op: 'lt', value: 'x' }],
    ['a <= true', { field: 'a', op: 'lte', value: true }],
    ['a = null', eq('a', null)],
    ['a = false', eq('a', false)],
    ["a = 'it\\'s'", eq('a', "it's")],
    ['a = "say \\"hi\\" \\u00e9"', eq('a', 'say "hi" é')],
    ["a = 'He said \"x\"'", eq('a', 'He said "x"')],
    ['name = "a>=b"', eq('name', 'a>=b')],
    ["name = 'x and y or not z'", eq('name', 'x and y or not z')],
    ['name = "(a = 1)"', eq('name', '(a = 1)')],
    ['status = active', eq('status', 'active')],
    ['email = a@b.com', eq('email', 'a@b.com')],
    ['t = 10:30', eq('t', '10:30')],
    ['d = 2024-01-01', eq('d', '2024-01-01')],
    ['zip = 007', eq('zip', '007')],
    ['v = 1.2.3', eq('v', '1.2.3')],
    ['a!=b', { field: 'a', op: 'ne', value: 'b' }],
    ['a = b!', eq('a', 'b!')],
    ['items.1.x = 2', eq('items.1.x', 2)],
    ['"odd field" = 1', eq('odd field', 1)],
    ["'and' = 1", eq('and', 1)],
    ['notes = 1', eq('notes', 1)],
    ['a in [1, "b", c, null, [2], {k: v}]', { field: 'a', op: 'in', value: [1, 'b', 'c', null, [2], { k: 'v' }] }],
    ['a IN []', { field: 'a', op: 'in', value: [] }],
    ['a in[1]', { field: 'a', op: 'in', value: [1] }],
    ['tags contains x', { field: 'tags', op: 'contains', value: 'x' }],
    ['tags CONTAINS {"a": [1, 2]}', { field: 'tags', op: 'contains', value: { a: [1, 2] } }],
    ['a exists', { field: 'a', op: 'exists' }],
    ['a Exists', { field: 'a', op: 'exists' }],
    ['a matches /^x\\/y[/]z$/i', { field: 'a', op: 'matches', value: '^x\\/y[/]z$', flags: 'i' }],
    ['a matches //', { field: 'a', op: 'matches', value: '' }],
    ['a matches "^b"', { field: 'a', op: 'matches', value: '^b' }],
    ['(a matches /x/)', { field: 'a', op: 'matches', value: 'x' }],
    ['a = {"__proto__": 1}', eq('a', JSON.parse('{"__proto__": 1}') as JsonValue)],
  ];
  for (const [src, expected] of cases) {
    test(src, () => assert.deepEqual(parseExpression(src), expected));
  }

  test('precedence: not > and > or, keywords case-insensitive', () => {
    assert.deepEqual(parseExpression('a = 1 OR b = 2 and c = 3'), { or: [eq('a', 1), { and: [eq('b', 2), eq('c', 3)] }] });
    assert.deepEqual(parseExpression('not a = 1 And b = 2'), { and: [{ not: eq('a', 1) }, eq('b', 2)] });
    assert.deepEqual(parseExpression('NOT (a = 1 or b = 2)'), { not: { or: [eq('a', 1), eq('b', 2)] } });
    assert.deepEqual(parseExpression('not not a exists'), { not: { not: { field: 'a', op: 'exists' } } });
    assert.deepEqual(parseExpression('(a = 1 or b = 2) and c = 3'), { and: [{ or: [eq('a', 1), eq('b', 2)] }, eq('c', 3)] });
    assert.deepEqual(parseExpression('a = 1 and b = 2 and c = 3'), { and: [eq('a', 1), eq('b', 2), eq('c', 3)] });
    assert.deepEqual(parseExpression('not(a=1)and(b=2)'), { and: [{ not: eq('a', 1) }, eq('b', 2)] });
    assert.deepEqual(parseExpression('  ( ( a = 1 ) )  '), eq('a', 1));
  });

  const errors: Array<[string, number, string]> = [
    ['', 1, 'empty'],
    ['   ', 4, 'empty'],
    ['a', 2, 'expected an operator'],
    ['a ~ 1', 3, 'expected an operator'],
    ['a =', 4, 'expected a value'],
    ['a = 1 b', 7, 'unexpected "b"'],
    ['a = 1 and', 10, 'expected a field'],
    ['= 1', 1, 'expected a field'],
    ['a = and', 5, 'keyword "and"'],
    ['or = 1', 1, 'keyword "or"'],
    ['(a = 1', 7, 'close the "(" at column 1'],
    ['a = 1)', 6, 'unexpected ")"'],
    ['a = "abc', 5, 'unterminated string'],
    ["a = 'abc", 5, 'unterminated string'],
    ['a = "\\x"', 5, 'escape'],
    ['a in [1, 2', 11, 'close the "[" at column 6'],
    ['a in [1 2]', 9, 'close the "[" at column 6'],
    ['a in 3', 6, 'in needs an array'],
    ['a > [1]', 5, 'gt compares'],
    ['a = {b 1}', 8, 'expected ":"'],
    ['a matches x', 11, 'regular expression'],
    ['a matches /abc', 11, 'unterminated regular expression'],
    ['a matches /(/', 11, 'invalid regular expression'],
    ['a matches /a/q', 11, 'invalid regular expression'],
    ['a matches /a/i2', 15, 'after the regular expression'],
    ['a..b = 1', 1, 'empty segment'],
    ['a = 1e999', 5, 'out of range'],
    ['é = 1 and 😀 = 2 😀', 17, 'unexpected'],
  ];
  for (const [src, column, what] of errors) {
    test(`error: ${JSON.stringify(src)} at column ${column}`, () => {
      assertInvalid(() => parseExpression(src), `column ${column}:`, what, 'filter');
    });
  }

  test('names the caller\'s location and rejects deep nesting without overflowing', () => {
    assertInvalid(() => parseExpression('a =', 'views.top.filter'), 'views.top.filter, column 4');
    assertInvalid(() => parseExpression(`${'('.repeat(5000)}a = 1${')'.repeat(5000)}`), 'nested');
    assertInvalid(() => parseExpression(`${'not '.repeat(5000)}a = 1`), 'nested');
    assertInvalid(() => parseExpression(`a = ${'['.repeat(5000)}`), 'nested');
    assertInvalid(() => parseExpression(3 as unknown as string), 'filter');
  });
});

// --- property tests: the expression language and the JSON form are one language -------------

const CONNECTIVES = ['and', 'or', 'not'];
const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

const text = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('a>=b', 'x and y', "it's", 'say "hi"', '(', ')', 'not', 'true', '42', '-', 'back\\slash', '[1]', 'a,b'),
  fc.stringMatching(/^[a-z][a-z0-9_@.:-]{0,6}$/),
);
const scalar: fc.Arbitrary<JsonValue> = fc.oneof(
  text,
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
  fc.boolean(),
  fc.constant(null),
);
const ordered = fc.oneof(text, fc.integer({ min: -5, max: 5 }), fc.boolean());
const field = fc.constantFrom('a', 'b.c', 'items.0', 'x_y', 'not', 'in', 'odd name');
const regexSource = fc.constantFrom('^a', 'b$', 'a.c', '[/]x', 'a\\/b', '\\d+', '');

const fieldFilter: fc.Arbitrary<FieldFilter> = fc.oneof(
  fc.record({ field, op: fc.constantFrom('eq' as const, 'ne' as const, 'contains' as const), value: scalar }),
  fc.record({ field, op: fc.constantFrom('gt' as const, 'gte' as const, 'lt' as const, 'lte' as const), value: ordered }),
  fc.record({ field, op: fc.constant('in' as const), value: fc.array(scalar, { maxLength: 4 }) }),
  fc.record({ field, op: fc.constant('exists' as const) }),
  fc.record({ field, op: fc.constant('matches' as const), value: regexSource }),
  fc.record({ field, op: fc.constant('matches' as const), value: regexSource, flags: fc.constantFrom('i', 's', 'is') }),
);
const { filter: filterArb } = fc.letrec<{ filter: Filter }>((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fieldFilter,
    fc.record({ and: fc.array(tie('filter'), { minLength: 2, maxLength: 3 }) }),
    fc.record({ or: fc.array(tie('filter'), { minLength: 2, maxLength: 3 }) }),
    fc.record({ not: tie('filter') }),
  ),
}));

/** Random spelling choices of the printer, so the parser sees many forms of one filter. */
interface Style {
  pick: (n: number) => number;
}

function keyword(word: string, s: Style): string {
  return [word, word.toUpperCase(), word[0].toUpperCase() + word.slice(1)][s.pick(3)];
}

function printString(v: string, s: Style): string {
  const bare = /^[A-Za-z_][A-Za-z0-9_@.:-]*$/.test(v) && !NUMBER.test(v) && !['true', 'false', 'null'].includes(v) && !CONNECTIVES.includes(v.toLowerCase());
  const choice = s.pick(bare ? 3 : 2);
  if (choice === 2) return v;
  if (choice === 0) return JSON.stringify(v);
  let out = "'";
  for (const ch of v) {
    out += ch === '\\' ? '\\\\' : ch === "'" ? "\\'" : ch < ' ' ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : ch;
  }
  return `${out}'`;
}

function printValue(v: JsonValue, s: Style): string {
  if (typeof v === 'string') return printString(v, s);
  if (Array.isArray(v)) return `[${v.map((e) => printValue(e, s)).join(s.pick(2) ? ', ' : ',')}]`;
  return JSON.stringify(v);
}

function printField(f: string): string {
  return f === 'odd name' || CONNECTIVES.includes(f) ? printString(f, { pick: (n) => Math.min(1, n - 1) }) : f;
}

const SYMBOLS: Record<string, string[]> = { eq: ['=', '=='], ne: ['!='], gt: ['>'], gte: ['>='], lt: ['<'], lte: ['<='] };
const PREC = (f: Filter): number => ('or' in f ? 1 : 'and' in f ? 2 : 'not' in f ? 3 : 4);

/** Prints a filter with the fewest parentheses its structure needs, plus random redundant ones. */
function print(f: Filter, s: Style, parent = 0): string {
  let out: string;
  if ('or' in f || 'and' in f) {
    const [word, parts] = 'or' in f ? ['or', f.or] : ['and', f.and];
    // Same-kind children get parentheses so the parse keeps the nesting instead of flattening it.
    out = parts.map((p) => print(p, s, PREC(f) + 1)).join(` ${keyword(word, s)} `);
  } else if ('not' in f) {
    out = `${keyword('not', s)} ${print(f.not, s, 3)}`;
  } else {
    const lhs = printField(f.field);
    const sp = s.pick(2) ? ' ' : '';
    if (f.op === 'exists') out = `${lhs} ${keyword('exists', s)}`;
    else if (f.op in SYMBOLS) out = `${lhs}${sp}${SYMBOLS[f.op][s.pick(SYMBOLS[f.op].length)]}${sp}${printValue(f.value as JsonValue, s)}`;
    else if (f.op === 'matches') {
      const re = f.flags !== undefined || s.pick(2) ? `/${f.value as string}/${f.flags ?? ''}` : JSON.stringify(f.value);
      out = `${lhs} ${keyword('matches', s)} ${re}`;
    } else out = `${lhs} ${keyword(f.op, s)} ${printValue(f.value as JsonValue, s)}`;
  }
  return PREC(f) < parent || s.pick(8) === 0 ? `(${out})` : out;
}

const style: fc.Arbitrary<Style> = fc.infiniteStream(fc.nat()).map((stream) => {
  const it = stream[Symbol.iterator]();
  return { pick: (n: number) => (it.next().value as number) % n };
});

const doc: fc.Arbitrary<JsonValue> = fc.record(
  {
    a: fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(text, scalar, { maxKeys: 2 })),
    b: fc.record({ c: scalar }, { requiredKeys: [] }),
    items: fc.array(scalar, { maxLength: 3 }),
    x_y: ordered,
    not: scalar,
    in: scalar,
    'odd name': scalar,
  },
  { requiredKeys: [] },
);

describe('expression language ≡ JSON form (property)', () => {
  test('printing a filter and parsing it back gives the same filter', () => {
    fc.assert(
      fc.property(filterArb, style, (filter, s) => {
        const src = print(filter, s);
        // JSON round trip: fast-check builds null-prototype records, the parser plain objects.
        assert.deepEqual(parseExpression(src), JSON.parse(JSON.stringify(filter)), src);
      }),
      { numRuns: 1500 },
    );
  });

  test('the parsed expression and the JSON filter select the same documents', () => {
    fc.assert(
      fc.property(filterArb, style, fc.array(doc, { minLength: 1, maxLength: 8 }), (filter, s, docs) => {
        const fromJson = compileFilter(filter);
        const fromText = compileFilter(print(filter, s));
        for (const d of docs) assert.equal(fromText(d), fromJson(d));
      }),
      { numRuns: 800 },
    );
  });
});
