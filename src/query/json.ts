/** JSON value helpers the query engine shares: deep equality, identity keys and input checking. */
import type { JsonValue } from '../engine/types.js';
import { canonicalText } from '../engine/value.js';

/** Deep JSON equality: object key order does not matter, array order does; `0` equals `-0`. */
export function deepEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) {
    if (!Object.hasOwn(b, k) || !deepEqual(a[k], b[k])) return false;
  }
  return true;
}

/**
 * A string equal for exactly the deep-equal values, for hashing values into a Map or Set (distinct,
 * groupBy): the value's canonical JSON, whose sorted keys never let key order split one value in two.
 */
export const identityKey: (value: JsonValue) => string = canonicalText;

/** Where in a value a problem is (a JSON path below the caller's `where`) and what it is. */
export interface ValueProblem {
  path: string;
  message: string;
}

/**
 * Describes why `value` is not plain JSON (undefined, NaN, a Date, a function, too deep...), or
 * returns undefined when it is valid.
 */
export function jsonProblem(value: unknown, where: string, depth = 0): ValueProblem | undefined {
  if (depth > MAX_DEPTH) return { path: where, message: `nested more than ${MAX_DEPTH} levels deep` };
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') {
    return Number.isFinite(value) ? undefined : { path: where, message: `${value} is not a JSON number` };
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = jsonProblem(value[i], `${where}[${i}]`, depth + 1);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      const problem = jsonProblem(v, `${where}.${k}`, depth + 1);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  return { path: where, message: `${describe(value)} is not a JSON value` };
}

/** Deepest nesting accepted in filters, values and expressions, so recursion can never overflow. */
export const MAX_DEPTH = 256;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A short description of an unexpected input, for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return isPlainObject(value) ? 'an object' : `a ${value.constructor?.name ?? 'non-plain'} object`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `a ${typeof value}`;
}
