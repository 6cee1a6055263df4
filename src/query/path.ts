/**
 * Dot paths into JSON documents: `a.b` reads a key, a numeric segment also indexes an array
 * (`items.1.x`). A path is parsed once and then read many times, so reads allocate nothing.
 */
import type { JsonValue } from '../engine/types.js';
import { InvalidQueryError } from '../errors.js';

/** A parsed path: each segment with its array index (-1 when the segment cannot index an array). */
export interface Path {
  readonly source: string;
  readonly keys: readonly string[];
  readonly indexes: readonly number[];
}

// Only canonical integers index arrays, so `01` or `1e0` never alias element 1.
const INDEX = /^(?:0|[1-9][0-9]*)$/;

/** Parses `field`; throws INVALID_QUERY naming `where` when it is not a non-empty dot path. */
export function parsePath(field: unknown, where: string): Path {
  if (typeof field !== 'string') {
    throw new InvalidQueryError(`Invalid query at ${where}: a field path must be a string`, { path: where });
  }
  const keys = field.split('.');
  if (keys.some((k) => k === '')) {
    const what = field === '' ? 'a field path must not be empty' : `field path "${field}" has an empty segment`;
    throw new InvalidQueryError(`Invalid query at ${where}: ${what}`, { path: where });
  }
  const indexes = keys.map((k) => (INDEX.test(k) && k.length < 16 ? Number(k) : -1));
  return { source: field, keys, indexes };
}

/**
 * The value at `path` in `doc`, or `undefined` when any step is missing. JSON holds no `undefined`,
 * so it is an unambiguous "missing"; a present null stays null. Only own keys count, so `constructor`
 * or `__proto__` never reach the prototype.
 */
export function readPath(doc: JsonValue, path: Path): JsonValue | undefined {
  let cur: JsonValue | undefined = doc;
  const { keys, indexes } = path;
  for (let i = 0; i < keys.length; i++) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (Array.isArray(cur)) {
      const index = indexes[i];
      if (index < 0 || index >= cur.length) return undefined;
      cur = cur[index];
    } else {
      if (!Object.hasOwn(cur, keys[i])) return undefined;
      cur = cur[keys[i]];
    }
  }
  return cur;
}
