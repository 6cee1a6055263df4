import canonicalizeModule from 'canonicalize';
import { hash } from 'node:crypto';
import { InvalidValueError, ValueTooLargeError, fullKey } from '../errors.js';
import type { JsonValue } from './types.js';

// canonicalize is CommonJS exporting the function itself; its typings describe an ES default export.
const canonicalize = canonicalizeModule as unknown as (value: unknown) => string;

/**
 * Values are taken as JSON: `toJSON` is honoured as `JSON.stringify` would, and anything JSON cannot
 * represent is refused with the path of the bad part instead of being silently dropped or nulled.
 */

function describe(v: unknown): string {
  if (typeof v === 'number') return String(v);
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

function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function toJsonValue(input: unknown, path: string, seen: Set<object>, where: string, holder: string): JsonValue {
  let v = input;
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    v = (v as { toJSON(key: string): unknown }).toJSON(holder);
  }
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (Number.isFinite(v)) return v;
    throw new InvalidValueError(`Invalid value for ${where}: ${describe(v)} at ${path} is not representable in JSON`, { path });
  }
  if (typeof v !== 'object') {
    const what = v === undefined ? 'undefined' : describe(v);
    throw new InvalidValueError(`Invalid value for ${where}: ${what} at ${path} is not representable in JSON`, { path });
  }
  if (seen.has(v)) throw new InvalidValueError(`Invalid value for ${where}: circular reference at ${path}`, { path });
  seen.add(v);
  let out: JsonValue;
  if (Array.isArray(v)) {
    out = new Array<JsonValue>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = toJsonValue(v[i], childPath(path, i), seen, where, String(i));
  } else {
    const obj: Record<string, JsonValue> = {};
    for (const k of Object.keys(v)) {
      setOwn(obj, k, toJsonValue((v as Record<string, unknown>)[k], childPath(path, k), seen, where, k));
    }
    out = obj;
  }
  seen.delete(v);
  return out;
}

export interface EncodedValue {
  /** RFC 8785 canonical JSON, UTF-8. What is stored and what the hash covers. */
  bytes: Buffer;
  /** SHA-256 of `bytes`, hex. */
  contentHash: string;
}

/** Validates and canonicalizes one value destined for `namespace/key`. */
export function encodeValue(input: unknown, namespace: string, key: string, maxBytes: number): EncodedValue {
  const where = fullKey(namespace, key);
  const clean = toJsonValue(input, '$', new Set(), where, '');
  const text = canonicalize(clean);
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > maxBytes) {
    throw new ValueTooLargeError(`Value for ${where} is ${bytes.length} bytes serialized; the limit is ${maxBytes}`, { namespace, key });
  }
  return { bytes, contentHash: sha256Hex(bytes) };
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
  for (const k in v) setOwn(out, k, cloneJson((v as Record<string, JsonValue>)[k]));
  return out as T;
}
