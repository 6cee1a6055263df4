import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeValue } from '../../../src/engine/value.js';

/** RFC 8785 written the slow, obvious way: the reference the fast encoder must agree with. */
function reference(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(reference).join(',')}]`;
  const entries = Object.entries(v as Record<string, unknown>);
  // Sort by UTF-16 code units, compared explicitly rather than trusting any default.
  entries.sort(([a], [b]) => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const d = a.charCodeAt(i) - b.charCodeAt(i);
      if (d !== 0) return d;
    }
    return a.length - b.length;
  });
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${reference(x)}`).join(',')}}`;
}

const text = (v: unknown) => encodeValue(v, 'ns', 'k', Infinity).bytes.toString('utf8');

describe('canonical JSON (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units, integer-like keys included', () => {
    assert.equal(text({ b: 1, a: 2, 10: 3, 9: 4, '': 5, ' ': 6, '01': 7 }), '{"":5," ":6,"01":7,"10":3,"9":4,"a":2,"b":1}');
    assert.equal(text({ nested: [{ 2: 'x', 1: 'y', z: 0 }] }), '{"nested":[{"1":"y","2":"x","z":0}]}');
    // U+1F600 is the surrogate pair D83D DE00, which sorts below U+FFFD by code unit.
    assert.equal(text({ '\uFFFD': 1, '\u{1F600}': 2 }), '{"\u{1F600}":2,"\uFFFD":1}');
  });

  it('writes numbers and strings as ECMAScript does', () => {
    assert.equal(text([1e21, 1e-7, 0.1, -0, 100, 5e-324, 'é', '\u0007', '"\\', '\u2028', '\uD800']), '[1e+21,1e-7,0.1,0,100,5e-324,"é","\\u0007","\\"\\\\","\u2028","\\ud800"]');
    // The known RFC 8785 example hash of {"a":null,"z":[1e+21,0.1,0,"é"]} (computed from its text).
    const encoded = encodeValue({ z: [1e21, 0.1, -0, 'é'], a: null }, 'ns', 'k', Infinity);
    assert.equal(encoded.contentHash, createHash('sha256').update('{"a":null,"z":[1e+21,0.1,0,"é"]}').digest('hex'));
  });

  it('keeps a __proto__ key as data', () => {
    const v = JSON.parse('{"__proto__":{"x":1},"a":2}') as unknown;
    assert.equal(text(v), '{"__proto__":{"x":1},"a":2}');
  });

  it('agrees with the reference on arbitrary JSON', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      assert.equal(text(v), reference(JSON.parse(JSON.stringify(v))));
    }), { numRuns: 500 });
  });

  it('agrees with the reference on objects full of integer-like keys', () => {
    const key = fc.oneof(fc.string(), fc.nat().map(String), fc.constantFrom('0', '4294967294', '4294967295', '01', '-1'));
    fc.assert(fc.property(fc.dictionary(key, fc.oneof(fc.integer(), fc.string())), (v) => {
      assert.equal(text(v), reference(v));
    }), { numRuns: 500 });
  });
});
