import { member } from '../engine/json-numbers.js';
import type { JsonValue } from '../engine/types.js';

/** One structural difference between two JSON values, at a JSONPath-like path (`$.a.b[2]`). */
export interface JsonChange {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  from?: JsonValue;
  to?: JsonValue;
}

type JsonObject = { [key: string]: JsonValue };

function isObject(v: JsonValue): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}


/** Objects compare key by key, arrays index by index; anything else is replaced whole. */
export function diffJson(from: JsonValue, to: JsonValue, path = '$', out: JsonChange[] = []): JsonChange[] {
  if (isObject(from) && isObject(to)) {
    for (const key of [...new Set([...Object.keys(from), ...Object.keys(to)])].sort()) {
      const p = member(path, key);
      if (!Object.hasOwn(to, key)) out.push({ path: p, kind: 'removed', from: from[key] });
      else if (!Object.hasOwn(from, key)) out.push({ path: p, kind: 'added', to: to[key] });
      else diffJson(from[key], to[key], p, out);
    }
  } else if (Array.isArray(from) && Array.isArray(to)) {
    for (let i = 0; i < Math.max(from.length, to.length); i++) {
      const p = `${path}[${i}]`;
      if (i >= to.length) out.push({ path: p, kind: 'removed', from: from[i] });
      else if (i >= from.length) out.push({ path: p, kind: 'added', to: to[i] });
      else diffJson(from[i], to[i], p, out);
    }
  } else if (JSON.stringify(from) !== JSON.stringify(to)) {
    out.push({ path, kind: 'changed', from, to });
  }
  return out;
}

/**
 * The structural diff of two versions' values, `undefined` standing for no value (no version, or a
 * tombstone), which is not the value null: creating a key is an `added` change of the root `$`,
 * deleting it a `removed` one.
 */
export function diffValues(from: JsonValue | undefined, to: JsonValue | undefined): JsonChange[] {
  if (from === undefined) return to === undefined ? [] : [{ path: '$', kind: 'added', to }];
  if (to === undefined) return [{ path: '$', kind: 'removed', from }];
  return diffJson(from, to);
}
