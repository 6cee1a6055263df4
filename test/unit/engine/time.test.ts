import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMicros, microsText, toMicros } from '../../../src/engine/time.js';

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
      const expected = `${iso.slice(0, -5)}.${String(((m % 1e6) + 1e6) % 1e6).padStart(6, '0')}Z`;
      assert.equal(formatMicros(m), expected, `for ${m}`);
    }
  });

  it('formatMicros writes every date of years 0-9999 as Date does, leap days and century rules included', () => {
    const reference = (m: number) => {
      const second = Math.floor(m / 1e6);
      return `${new Date(second * 1000).toISOString().slice(0, -5)}.${String(m - second * 1e6).padStart(6, '0')}Z`;
    };
    const DAY = 86_400_000_000;
    // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear reaches the real ones.
    const yearStart = (year: number) => new Date(0).setUTCFullYear(year, 0, 1) * 1000;
    // Every day from 1899 to 2101 (1900 is not a leap year, 2000 is), each at a different time.
    for (let m = yearStart(1899) + 123_456; m < yearStart(2101); m += DAY + 3_601_000_001) {
      assert.equal(formatMicros(m), reference(m), `for ${m}`);
    }
    const edges = [
      Date.UTC(2000, 1, 29, 23, 59, 59) * 1000, Date.UTC(2100, 2, 1) * 1000, Date.UTC(1600, 1, 29) * 1000, 0, -1,
      Date.UTC(9999, 11, 31, 23, 59, 59) * 1000, yearStart(0), yearStart(0) - 1, yearStart(10000), yearStart(-1),
    ].map((m) => m + 999_999);
    // Random times from year -1 to 10000: outside 0-9999 Date writes the year with a sign.
    for (let i = 0; i < 20_000; i++) edges.push(Math.floor(yearStart(-1) + Math.random() * (yearStart(10001) - yearStart(-1))));
    for (const m of edges) assert.equal(formatMicros(m), reference(m), `for ${m}`);
  });

  it('toMicros reads back every timestamp formatMicros writes, and what Date reads of other ISO forms', () => {
    // Exact round trips wherever microseconds are exact (|m| < 2^53: years 1685 to 2255).
    for (let i = 0; i < 20_000; i++) {
      const m = Math.floor((Math.random() * 2 - 1) * 2 ** 53);
      assert.equal(toMicros(formatMicros(m)), m, `for ${formatMicros(m)}`);
    }
    // Years 0-9999 to the second, against Date (which reads ISO years 0-99 as they are).
    const yearStart = (year: number) => new Date(0).setUTCFullYear(year, 0, 1) * 1000;
    for (let i = 0; i < 20_000; i++) {
      const text = formatMicros(Math.floor(yearStart(0) + Math.random() * (yearStart(10000) - yearStart(0))));
      assert.equal(Math.floor(toMicros(text) / 1e6), Math.floor(Date.parse(text) / 1000), `for ${text}`);
    }
    for (const text of ['0050-06-01T00:00:00Z', '0050-06-01', '2024-02-29T12:00:00.5+02:00', '2000-02-29 23:59:59', '1969-12-31T23:59:59.999999Z']) {
      assert.equal(Math.floor(toMicros(text) / 1000), Date.parse(text.replace(' ', 'T') + (text.length === 19 ? 'Z' : '')), `for ${text}`);
    }
  });

  it('toMicros refuses dates and times that do not exist, canonical or not', () => {
    const bad = [
      '2026-02-29T00:00:00.000000Z', '2100-02-29T00:00:00.000000Z', '2026-04-31T00:00:00.000000Z', '2026-13-01T00:00:00.000000Z',
      '2026-00-10T00:00:00.000000Z', '2026-01-00T00:00:00.000000Z', '2026-01-01T24:00:00.000000Z', '2026-01-01T23:60:00.000000Z',
      '2026-01-01T23:59:60.000000Z', '2026-01-01T23:59:59.00000xZ', '2026-01-01T23:59:59.000000X', '2026-02-29', '2026-02-30T10:00Z',
    ];
    for (const text of bad) assert.throws(() => toMicros(text), { code: 'INVALID_TIME' }, text);
  });

  it('toMicros refuses time-zone offsets that do not exist (Date refuses them too), and reads the largest real ones', () => {
    const bad = [
      '2026-01-01T00:00:00+99:99', '2026-01-01T00:00:00+24:00', '2026-01-01T00:00:00-24:00', '2026-01-01T00:00:00+00:60',
      '2026-01-01T00:00:00+2400', '2026-01-01T00:00:00-0099', '2026-01-01T00:00+30', '2026-01-01 00:00:00.5 +12:75',
    ];
    for (const text of bad) {
      assert.ok(Number.isNaN(Date.parse(text.replace(' ', 'T'))), `Date reads ${text}`);
      assert.throws(() => toMicros(text), { code: 'INVALID_TIME', message: new RegExp(JSON.stringify(text).replace(/[.+]/g, '\\$&')) }, text);
    }
    assert.equal(toMicros('2026-01-01T00:00:00+23:59'), Date.parse('2026-01-01T00:00:00+23:59') * 1000);
    assert.equal(toMicros('2026-01-01T00:00:00-23:59'), Date.parse('2026-01-01T00:00:00-23:59') * 1000);
    assert.equal(toMicros('2026-01-01T00:00:00-0559'), Date.parse('2026-01-01T00:00:00-05:59') * 1000);
    assert.equal(toMicros('2024-02-29T00:00:00.000000Z'), Date.UTC(2024, 1, 29) * 1000);
    assert.equal(toMicros('2000-02-29T00:00:00.000001Z'), Date.UTC(2000, 1, 29) * 1000 + 1);
  });
});
