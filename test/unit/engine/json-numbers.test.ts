import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exactNumber, findInexactNumber, mayHoldInexactNumber } from '../../../src/engine/json-numbers.js';

/** A random JSON number literal: up to 25 integer digits, maybe a fraction, maybe an exponent. */
function literal(random: () => number): string {
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
  let int = digits(1 + Math.floor(random() * 25)).replace(/^0+(?=\d)/, '');
  if (int.length > 1 && int[0] === '0') int = int.slice(1);
  let text = (random() < 0.3 ? '-' : '') + int;
  if (random() < 0.5) text += `.${digits(1 + Math.floor(random() * 20))}`;
  if (random() < 0.3) text += `e${random() < 0.5 ? '-' : ''}${Math.floor(random() * 400)}`;
  return text;
}

describe('json-numbers', () => {
  it('the quick look never passes a number JSON.parse would round', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    let inexact = 0;
    for (let i = 0; i < 50_000; i++) {
      const text = literal(random);
      if (exactNumber(text)) continue;
      inexact++;
      assert.ok(mayHoldInexactNumber(text), `missed ${text}`);
      assert.ok(mayHoldInexactNumber(`{"a": [${text}]}`), `missed ${text} inside a document`);
    }
    assert.ok(inexact > 1000, 'the sample holds inexact numbers');
  });

  it('finds the first inexact number with its path, and nothing in strings or exact numbers', () => {
    assert.deepEqual(findInexactNumber('{"a b": [1, 0.1, {"c": 9007199254740993}]}'), { literal: '9007199254740993', path: '$["a b"][2].c' });
    assert.equal(findInexactNumber('{"s": "12345678901234567890", "n": 9007199254740991, "m": 1e308}'), undefined);
    assert.equal(mayHoldInexactNumber('{"n": 123456789012345, "x": 0.5}'), false);
  });
});
