/**
 * Byte layout of the engine's buckets. Every key sorts in the order the engine walks it:
 *
 *   heads     ns 00 key                       → head record (the current version's record)
 *   versions  ns 00 key 00 ts:u64 vid:16      → version record (value inline if ≤ 2 KiB)
 *   changes   seq:u64                         → versions keys of one commit's changes, the first
 *                                               with this seq, the next ones seq+1… (the local change log)
 *   blobs     sha256:32                       → canonical JSON bytes of a value over 2 KiB (each once)
 *   meta      utf8 name                       → engine state (node id, counters, clock, seq)
 *   aux       utf8 name                       → state of the layers above (views…)
 *
 * Namespaces and keys never contain 0x00 (control characters are refused), so 00 ends each part
 * and a shorter name sorts before a longer one it prefixes: `users 00 bob` < `users 00 bobby`.
 * Example: users/bob written at 2026-01-01T00:00:00.000001Z has versions key
 * `75 73 65 72 73 00 62 6f 62 00 | 00 06 27 49 1c 8c 00 01 | <16 bytes of versionId>`.
 */

import { allocCodec, codec } from '../storage/buffer-codec.js';

export const BUCKETS = ['heads', 'versions', 'changes', 'blobs', 'meta', 'aux'] as const;

const SEP = 0;

/** A head's key as text: the store encodes it (U+0000 is the single byte 00) without a buffer of its own. */
export function headKey(namespace: string, key: string): string {
  return `${namespace}\u0000${key}`;
}

/** Prefix shared by every head of a namespace. */
export function namespacePrefix(namespace: string): Buffer {
  return Buffer.from(`${namespace}\u0000`, 'utf8');
}

/** Prefix shared by every version of one key. */
export function versionPrefix(namespace: string, key: string): Buffer {
  return Buffer.from(`${namespace}\u0000${key}\u0000`, 'utf8');
}

/** Big-endian unsigned 64-bit (two 32-bit halves: exact for every safe integer, no BigInt). */
function writeU64(b: Buffer, n: number, offset: number): void {
  b.writeUInt32BE(Math.floor(n / 2 ** 32), offset);
  b.writeUInt32BE(n >>> 0, offset + 4);
}

export function u64(n: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  writeU64(b, n, 0);
  return b;
}

export function readU64(b: Uint8Array, offset = 0): number {
  // By hand rather than through a Buffer or DataView view: no allocation on the read paths.
  const hi = ((b[offset] << 24) | (b[offset + 1] << 16) | (b[offset + 2] << 8) | b[offset + 3]) >>> 0;
  const lo = ((b[offset + 4] << 24) | (b[offset + 5] << 16) | (b[offset + 6] << 8) | b[offset + 7]) >>> 0;
  return hi * 2 ** 32 + lo;
}

export function versionKey(namespace: string, key: string, micros: number, versionId: string): Buffer {
  const prefix = `${namespace}\u0000${key}\u0000`;
  const size = Buffer.byteLength(prefix, 'utf8');
  const b = allocCodec(size + 24);
  b.utf8Write(prefix, 0, size);
  writeU64(b, micros, size);
  b.hexWrite(versionId, size + 8, 16);
  return b;
}

/** Versions of a key at or before `micros` sort below this bound. */
export function versionUpperBound(namespace: string, key: string, micros: number): Buffer {
  const prefix = `${namespace}\u0000${key}\u0000`;
  const size = Buffer.byteLength(prefix, 'utf8');
  const b = Buffer.allocUnsafe(size + 8);
  b.write(prefix, 0, 'utf8');
  writeU64(b, Math.max(0, micros + 1), size);
  return b;
}

export function versionLowerBound(namespace: string, key: string, micros: number): Buffer {
  return Buffer.concat([versionPrefix(namespace, key), u64(Math.max(0, micros))]);
}

/** Splits a heads key back into its namespace and key. */
export function splitHeadKey(bytes: Uint8Array): { namespace: string; key: string } {
  const b = codec(bytes);
  const sep = b.indexOf(SEP);
  return { namespace: b.toString('utf8', 0, sep), key: b.toString('utf8', sep + 1) };
}

/** Splits a versions key into namespace, key and timestamp. */
export function splitVersionKey(bytes: Uint8Array): { namespace: string; key: string; micros: number } {
  const b = codec(bytes);
  const head = splitHeadKey(b.subarray(0, b.length - 25));
  return { ...head, micros: readU64(b, b.length - 24) };
}

/**
 * The versions keys of one change-log entry, which are stored back to back: each is self-delimiting
 * (namespace and key end at their 00, then 24 fixed bytes), so no lengths are needed, and an entry
 * holding a single key is one key.
 */
export function splitVersionKeys(bytes: Uint8Array): Buffer[] {
  const b = codec(bytes);
  const keys: Buffer[] = [];
  for (let at = 0; at < b.length;) {
    const keyEnd = b.indexOf(SEP, b.indexOf(SEP, at) + 1);
    if (keyEnd < 0 || keyEnd + 25 > b.length) throw new RangeError('malformed change-log entry');
    keys.push(b.subarray(at, keyEnd + 25));
    at = keyEnd + 25;
  }
  return keys;
}

/** Smallest key above every key starting with `prefix`. */
export function prefixEnd(prefix: Uint8Array): Buffer {
  const b = Buffer.from(prefix);
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i] < 0xff) {
      b[i]++;
      return b.subarray(0, i + 1);
    }
  }
  throw new RangeError('prefix has no upper bound');
}
