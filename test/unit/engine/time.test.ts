import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMicros, microsText } from '../../../src/engine/time.js';

/** Timestamps around edges of the digit tables and of seconds, plus a spread of ordinary ones. */
function samples(): number[] {
  const out = [0, 1, 999, 1000, 999_999, 1_000_000, 1_000_001, 1_999_999, 2_000_000, 1_764_147_253_000_000,
    1_764_147_253_999_999, 1_764_147_254_000_000, 1_764_147_253_000_999, 1_764_147_253_001_000, Number.MAX_SAFE_INTEGER, -1, -1_000_001];
  let x = 1_764_000_000_000_000;
  for (let i = 0; i < 5000; i++) {
    x += Math.floor(Math.random() * 3_000_000);
    out.push(x);
  }
  return out;
}

describe('timestamps as text', () => {
  it('microsText is String() for every integer, and for what is not one', () => {
    for (const m of [...samples(), 1.5, -0.5, 2 ** 60, Number.NaN]) assert.equal(microsText(m), String(m), `for ${m}`);
  });

  it('formatMicros is the ISO-8601 time with six fractional digits', () => {
    for (const m of samples()) {
      if (m < 0 || m > 8.64e18) continue;
      const iso = new Date(Math.floor(m / 1000)).toISOString();
      const expected = `${iso.slice(0, 19)}.${String(((m % 1e6) + 1e6) % 1e6).padStart(6, '0')}Z`;
      assert.equal(formatMicros(m), expected, `for ${m}`);
    }
  });
});
