/**
 * The one total order of JSON values that sorting, min/max and groupBy share, so a group list and a
 * sorted query always agree. Numbers < strings < booleans < arrays < objects < null.
 */
import type { JsonValue } from '../engine/types.js';

/**
 * Compares strings by Unicode code point (the UTF-8 byte order keys use), not by UTF-16 unit as `<`
 * does: the two differ when an astral character (a surrogate pair) meets one in U+E000..U+FFFF.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x >= 0xd800 && y >= 0xd800 ? lift(x) - lift(y) : x - y;
  }
  return a.length - b.length;
}

// Moves surrogates (0xD800..0xDFFF) above 0xE000..0xFFFF, which is where their code points sit.
function lift(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/** Rank of a value's type in the cross-type order. */
export function typeRank(value: JsonValue): number {
  switch (typeof value) {
    case 'number':
      return 0;
    case 'string':
      return 1;
    case 'boolean':
      return 2;
    default:
      return value === null ? 5 : Array.isArray(value) ? 3 : 4;
  }
}

/**
 * Total order of JSON values: by type rank, then numbers numerically, strings by code point,
 * false < true, arrays element by element (shorter first on a tie), objects by their sorted
 * (key, value) pairs. Returns <0, 0 or >0; 0 exactly for deep-equal values.
 */
export function compareValues(a: JsonValue, b: JsonValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'boolean') return Number(a) - Number(b as boolean);
  if (Array.isArray(a)) return compareArrays(a, b as JsonValue[]);
  if (a === null) return 0;
  return compareObjects(a as Record<string, JsonValue>, b as Record<string, JsonValue>);
}

function compareArrays(a: JsonValue[], b: JsonValue[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function compareObjects(a: Record<string, JsonValue>, b: Record<string, JsonValue>): number {
  const ka = Object.keys(a).sort(compareStrings);
  const kb = Object.keys(b).sort(compareStrings);
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const c = compareStrings(ka[i], kb[i]) || compareValues(a[ka[i]], b[kb[i]]);
    if (c !== 0) return c;
  }
  return ka.length - kb.length;
}
