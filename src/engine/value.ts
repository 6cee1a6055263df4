import { hash } from 'node:crypto';
import { InvalidValueError, ValueTooLargeError, fullKey } from '../errors.js';
import type { JsonValue } from './types.js';

/**
 * Values are taken as JSON: `toJSON` is honoured and boxed primitives (`new Number(42)`) are
 * unboxed as `JSON.stringify` would, and anything JSON cannot represent is refused with the path of
 * the bad part instead of being silently dropped or nulled.
 *
 * One walk validates the input and copies it (so later changes by the caller cannot reach stored
 * data) with every object's keys inserted in RFC 8785 order (UTF-16 code units). `JSON.stringify`
 * of that copy is then the canonical JSON: strings and numbers are written exactly as RFC 8785
 * prescribes (it adopts ECMAScript's serialization), and the native serializer is several times
 * faster than building the text in JavaScript. The one exception is objects with integer-like keys
 * ("7", "10"), which every JavaScript object enumerates first in numeric order: when the walk meets
 * one, the text is written by `canonicalText` instead.
 */

function describe(v: unknown): string {
  if (typeof v === 'bigint') return 'a BigInt';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return 'a symbol';
  return String(v);
}

/** Plain assignment of `__proto__` would change the prototype instead of adding a key. */
function setOwn(obj: Record<string, JsonValue>, key: string, value: JsonValue): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** Where the walk is, kept as a chain and spelled out (`$.items[3].price`) only for an error. */
interface PathLink {
  parent?: PathLink;
  key: string | number;
}

function spell(link: PathLink | undefined): string {
  let out = '';
  for (let l = link; l; l = l.parent) {
    const k = l.key;
    const part = typeof k === 'number' ? `[${k}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
    out = part + out;
  }
  return `$${out}`;
}

interface Walk {
  where: string;
  /** The objects being walked, root first (a stack: values are shallow, so a scan beats a Set). */
  open: object[];
  /** Set when some object has an integer-like key, whose enumeration order is not insertion order. */
  indexKeys: boolean;
  /**
   * Where the value being read is (`parent` + `key`), kept up to date so that an error thrown by
   * the caller's own code (a getter, `toJSON`, a proxy trap) can be named by path: two stores per
   * property instead of a try/catch and a path link around each read.
   */
  parent: PathLink | undefined;
  key: string | number | undefined;
}

function refuse(walk: Walk, what: string, at: PathLink | undefined): never {
  const path = spell(at);
  throw new InvalidValueError(`Invalid value for ${walk.where}: ${what} at ${path} is not representable in JSON`, { path });
}

/**
 * What the caller's own code threw while the walk read a value (a getter, `toJSON`, a revoked
 * proxy), as INVALID_VALUE at the path being read, so a put never rejects with a foreign error.
 */
function readFailed(walk: Walk, err: unknown): InvalidValueError {
  const path = spell(at(walk.parent, walk.key));
  return new InvalidValueError(`Invalid value for ${walk.where}: reading ${path} threw: ${thrownText(err)}`, { path, cause: err });
}

/** The message of anything thrown, which need not be an Error (nor convertible to a string). */
function thrownText(err: unknown): string {
  try {
    return err instanceof Error ? err.message : String(err);
  } catch {
    return 'a value that cannot be shown';
  }
}

/** Deepest nesting of objects and arrays accepted (deeper values would exhaust the call stack). */
export const MAX_DEPTH = 512;

/** Keys JavaScript enumerates before all others, in numeric order (array indices). */
function isIndexKey(k: string): boolean {
  const c = k.charCodeAt(0);
  return c >= 48 && c <= 57 && /^(?:0|[1-9]\d{0,9})$/.test(k) && Number(k) < 4294967295;
}

/**
 * Validates `input` and returns its clean copy, object keys inserted in canonical order. The
 * value's place is `parent` + `key` (key undefined at the root); a path link is allocated only per
 * object or array, not per leaf, since paths are needed only for errors.
 */
function clean(input: unknown, parent: PathLink | undefined, key: string | number | undefined, walk: Walk): JsonValue {
  let v = input;
  if (v !== null && typeof v === 'object') {
    if (typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      v = (v as { toJSON(key: string): unknown }).toJSON(key === undefined ? '' : String(key));
    }
    // Plain objects and arrays, nearly all of them, cannot be boxed primitives.
    if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) !== Object.prototype && !Array.isArray(v)) v = unbox(v);
  }
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      if (!Number.isFinite(v)) refuse(walk, describe(v), at(parent, key));
      return v === 0 ? 0 : v;
    case 'object':
      if (v === null) return null;
      break;
    default:
      refuse(walk, v === undefined ? 'undefined' : describe(v), at(parent, key));
  }
  const obj = v as object;
  const here = at(parent, key);
  // JSON.stringify turns these into {}: refused, as undefined is, rather than silently emptied.
  const lossy = obj instanceof Map ? ['a Map', 'Object.fromEntries(map)'] : obj instanceof Set ? ['a Set', '[...set]'] : undefined;
  if (lossy) {
    const path = spell(here);
    throw new InvalidValueError(`Invalid value for ${walk.where}: ${lossy[0]} at ${path} is not representable in JSON (its entries would be lost); convert it first, e.g. ${lossy[1]}`, { path });
  }
  if (walk.open.includes(obj)) {
    const where = spell(here);
    throw new InvalidValueError(`Invalid value for ${walk.where}: circular reference at ${where}`, { path: where });
  }
  if (walk.open.length >= MAX_DEPTH) {
    throw new InvalidValueError(`Invalid value for ${walk.where}: nested deeper than ${MAX_DEPTH} levels`, { path: spell(here) });
  }
  walk.open.push(obj);
  let out: JsonValue;
  if (Array.isArray(obj)) {
    // Length read once, as JSON.stringify does (and before any child moves `walk`'s place on).
    const length = obj.length;
    const arr = new Array<JsonValue>(length);
    for (let i = 0; i < length; i++) {
      walk.parent = here;
      walk.key = i;
      arr[i] = clean(obj[i], here, i, walk);
    }
    out = arr;
  } else {
    const rec: Record<string, JsonValue> = {};
    const keys = sortedKeys(obj);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if (!walk.indexKeys && isIndexKey(k)) walk.indexKeys = true;
      walk.parent = here;
      walk.key = k;
      const child = clean((obj as Record<string, unknown>)[k], here, k, walk);
      if (k === '__proto__') setOwn(rec, k, child);
      else rec[k] = child;
    }
    out = rec;
  }
  walk.open.pop();
  return out;
}

/**
 * The primitive a boxed string, number, boolean, BigInt or symbol (`new Number(42)`, `Object(1n)`) holds,
 * which `JSON.stringify` writes in its place (converting as it does: `Number(v)`, `String(v)`),
 * so `{}` or `{"0":"h","1":"i"}` is never stored for one. Other objects are returned as they are.
 * The tag only picks the candidate (a class may fake it); the `valueOf` brand check decides.
 */
function unbox(obj: object): unknown {
  switch (Object.prototype.toString.call(obj)) {
    case '[object Number]':
      return hasBrand(Number.prototype.valueOf, obj) ? Number(obj) : obj;
    case '[object String]':
      return hasBrand(String.prototype.valueOf, obj) ? String(obj) : obj;
    case '[object Boolean]':
      return hasBrand(Boolean.prototype.valueOf, obj) ? Boolean.prototype.valueOf.call(obj) : obj;
    case '[object BigInt]':
      return hasBrand(BigInt.prototype.valueOf, obj) ? BigInt.prototype.valueOf.call(obj) : obj;
    // Unboxed so it is refused as a symbol is (JSON.stringify would write `{}`).
    case '[object Symbol]':
      return hasBrand(Symbol.prototype.valueOf, obj) ? Symbol.prototype.valueOf.call(obj) : obj;
    default:
      return obj;
  }
}

/** Whether `obj` has the internal slot `valueOf` reads (it throws for any other object). */
function hasBrand(valueOf: () => unknown, obj: object): boolean {
  try {
    valueOf.call(obj);
    return true;
  } catch {
    return false;
  }
}

/**
 * Own enumerable keys in UTF-16 code unit order (RFC 8785's, and `<` on strings). Documents mostly
 * have a handful of keys, where an insertion sort is about twice as fast as `Array#sort`.
 */
function sortedKeys(obj: object): string[] {
  const keys = Object.keys(obj);
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i];
    let j = i - 1;
    for (; j >= 0 && keys[j] > k; j--) keys[j + 1] = keys[j];
    keys[j + 1] = k;
  }
  return keys;
}

function at(parent: PathLink | undefined, key: string | number | undefined): PathLink | undefined {
  return key === undefined ? parent : { parent, key };
}

/** RFC 8785 text of a clean value, sorting keys explicitly (for objects with integer-like keys). */
export function canonicalText(v: JsonValue): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalText).join(',')}]`;
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalText(v[k])}`).join(',')}}`;
}

export interface EncodedValue {
  /** RFC 8785 canonical JSON, UTF-8. What is stored and what the hash covers. */
  bytes: Buffer;
  /** SHA-256 of `bytes`, hex. */
  contentHash: string;
  /** A private copy of the value, keys in canonical order (what reads return). */
  value: JsonValue;
}

/** Validates and canonicalizes one value destined for `namespace/key`. */
export function encodeValue(input: unknown, namespace: string, key: string, maxBytes: number): EncodedValue {
  const walk: Walk = { where: fullKey(namespace, key), open: [], indexKeys: false, parent: undefined, key: undefined };
  let value: JsonValue;
  try {
    value = clean(input, undefined, undefined, walk);
  } catch (err) {
    throw err instanceof InvalidValueError ? err : readFailed(walk, err);
  }
  const bytes = Buffer.from(walk.indexKeys ? canonicalText(value) : JSON.stringify(value), 'utf8');
  if (bytes.length > maxBytes) {
    throw new ValueTooLargeError(`Value for ${walk.where} is ${bytes.length} bytes serialized; the limit is ${maxBytes}`, { namespace, key });
  }
  return { bytes, contentHash: sha256Hex(bytes), value };
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return hash('sha256', bytes, 'hex');
}

/** The hash every tombstone carries: that of `null`, its value. */
export const NULL_HASH = sha256Hex('null');

/** Deep copy of a JSON value: cheaper than structuredClone or a JSON round trip for small documents. */
export function cloneJson<T extends JsonValue>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = cloneJson(v[i]);
    return out as T;
  }
  const out: Record<string, JsonValue> = {};
  for (const k in v) {
    const child = cloneJson((v as Record<string, JsonValue>)[k]);
    if (k === '__proto__') setOwn(out, k, child);
    else out[k] = child;
  }
  return out as T;
}
