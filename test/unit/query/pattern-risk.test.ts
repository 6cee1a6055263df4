import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileFilter, validateQuery } from '../../../src/query/index.js';
import { assertInvalid } from './helpers.js';

/** A near miss for `^(a+)+$`: exponential work for a backtracking engine. */
const EVIL_INPUT = `${'a'.repeat(26)}!`;

describe('matches refuses patterns that can take exponential time', () => {
  test('nested quantifiers are INVALID_QUERY naming the pattern, in expressions and in JSON', () => {
    assertInvalid(() => compileFilter('s matches "^(a+)+$"'), 'Invalid query at filter', '/^(a+)+$/', 'exponential');
    assertInvalid(() => compileFilter('s matches /(\\w*)*x/i'), '/(\\w*)*x/i', 'exponential');
    assertInvalid(() => compileFilter({ field: 's', op: 'matches', value: '(x+x+)+y' }), 'filter.value', '/(x+x+)+y/');
    assertInvalid(() => validateQuery({ filter: { or: [{ field: 's', op: 'matches', value: '(?:ab+)+' }] } }), 'filter.or[0].value', '/(?:ab+)+/');
    // Inside a lookbehind the nesting is the same.
    assertInvalid(() => compileFilter({ field: 's', op: 'matches', value: '(?<=(a+)+)b' }), 'exponential');
  });

  test('patterns over 1,000 characters, or with more than 25 quantifiers, are refused', () => {
    assertInvalid(() => compileFilter({ field: 's', op: 'matches', value: 'a'.repeat(1001) }), 'filter.value', '1001 characters long; the limit is 1000');
    assert.equal(compileFilter({ field: 's', op: 'matches', value: 'a'.repeat(1000) })({ s: 'a'.repeat(1000) }), true);
    assertInvalid(() => compileFilter({ field: 's', op: 'matches', value: 'a?'.repeat(26) }), 'more than 25 quantifiers');
    assert.equal(compileFilter({ field: 's', op: 'matches', value: 'a?'.repeat(25) })({ s: '' }), true);
  });

  test('a syntax error is still reported as one', () => {
    assertInvalid(() => compileFilter({ field: 's', op: 'matches', value: '((a+)+' }), 'invalid regular expression', 'Unterminated group');
  });

  test('ordinary patterns keep working, lookbehind and unicode classes included', () => {
    const cases: Array<[string, string | undefined, string, boolean]> = [
      ['^\\d{4}-\\d{2}-\\d{2}$', undefined, '2026-02-04', true],
      ['^[\\w.+-]+@[\\w-]+\\.[\\w.]+$', undefined, 'a.b@c.org', true],
      ['(?<=\\$)\\d+', undefined, 'cost $12', true],
      ['(?<!\\\\)"', undefined, '\\"', false],
      ['(?<year>\\d{4})-\\k<year>', undefined, '2026-2026', true],
      ['^\\p{Lu}\\p{Ll}+$', 'u', 'Élan', true],
      ['^(a+)$', undefined, EVIL_INPUT, false],
      ['(?:ab)+c', undefined, 'ababc', true],
    ];
    for (const [value, flags, s, expected] of cases) {
      const filter = flags === undefined ? { field: 's', op: 'matches', value } as const : { field: 's', op: 'matches', value, flags } as const;
      assert.equal(compileFilter(filter)({ s }), expected, value);
    }
  });
});
