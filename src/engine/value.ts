import { hash } from 'node:crypto';
import { InvalidValueError, ValueTooLargeError, fullKey } from '../errors.js';
import type { JsonValue } from './types.js';

/**
 * Values are taken as JSON: `toJSON` is honoured as `JSON.stringify` would, and anything JSON cannot
 * represent is refused with the path of the bad part instead of being silently dropped or nulled.
 *
 * One walk validates the input, copies it (so later changes by the caller cannot reach stored
 * data) and writes its RFC 8785 canonical JSON: object keys sorted by UTF-16 code units, strings
 * and numbers exactly as `JSON.stringify` writes them (ECMAScript number serialization is the one
 * RFC 8785 prescribes). Doing it in one pass halves the cost of a put against a separate
 * canonicalizer, and such a canonicalizer would silently drop what we must refuse.
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
  seen: Set<object>;
  text: string;
}

function refuse(walk: Walk, what: string, at: PathLink | undefined): never {
  const path = spell(at);
  throw new InvalidValueError(`Invalid value for ${walk.where}: ${what} at ${path} is not representable in JSON`, { path });
}

/** Characters that make a JSON string need escaping (or a lone surrogate check). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `JSON.stringify` of a string, skipping its work for the common string that needs no escape. */
function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** Appends the canonical JSON of `input` to `walk.text` and returns the clean copy. */
function canonical(input: unknown, path: PathLink | undefined, walk: Walk, holder: string): JsonValue {
  let v = input;
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    v = (v as { toJSON(key: string): unknown }).toJSON(holder);
  }
  switch (typeof v) {
    case 'string':
      walk.text += quote(v);
      return v;
    case 'boolean':
      walk.text += v ? 'true' : 'false';
      return v;
    case 'number':
      if (!Number.isFinite(v)) refuse(walk, describe(v), path);
      walk.text += JSON.stringify(v);
      return v === 0 ? 0 : v;
    case 'object':
      if (v === null) {
        walk.text += 'null';
        return null;
      }
      break;
    default:
      refuse(walk, v === undefined ? 'undefined' : describe(v), path);
  }
  const obj = v as object;
  if (walk.seen.has(obj)) {
    const where = spell(path);
    throw new InvalidValueError(`Invalid value for ${walk.where}: circular reference at ${where}`, { path: where });
  }
  walk.seen.add(obj);
  let out: JsonValue;
  if (Array.isArray(obj)) {
    const arr = new Array<JsonValue>(obj.length);
    walk.text += '[';
    for (let i = 0; i < obj.length; i++) {
      if (i > 0) walk.text += ',';
      arr[i] = canonical(obj[i], { parent: path, key: i }, walk, String(i));
    }
    walk.text += ']';
    out = arr;
  } else {
    const rec: Record<string, JsonValue> = {};
    const keys = Object.keys(obj).sort();
    walk.text += '{';
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      walk.text += i > 0 ? `,${quote(k)}:` : `${quote(k)}:`;
      setOwn(rec, k, canonical((obj as Record<string, unknown>)[k], { parent: path, key: k }, walk, k));
    }
    walk.text += '}';
    out = rec;
  }
  walk.seen.delete(obj);
  return out;
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
  const where = fullKey(namespace, key);
  const walk: Walk = { where, seen: new Set(), text: '' };
  const value = canonical(input, undefined, walk, '');
  const bytes = Buffer.from(walk.text, 'utf8');
  if (bytes.length > maxBytes) {
    throw new ValueTooLargeError(`Value for ${where} is ${bytes.length} bytes serialized; the limit is ${maxBytes}`, { namespace, key });
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
