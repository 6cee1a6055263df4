import { CorruptedError, fullKey } from '../errors.js';
import type { StoreReader } from '../storage/store.js';
import { blobKey } from './blobs.js';
import { codec } from '../storage/buffer-codec.js';
import {
  headKey, namespacePrefix, prefixEnd, readU64, splitVersionKey, splitVersionKeys, u64, versionLowerBound,
  versionKey, versionPrefix, versionUpperBound,
} from './keys.js';
import { decodeHead, decodeRecord, inlineOffset, type DecodedRecord, type HeadFields, type StoredVersion } from './record.js';
import { sha256Hex } from './value.js';
import type { JsonValue } from './types.js';

/** A version located in the change log. */
export interface ChangeEntry {
  seq: number;
  namespace: string;
  key: string;
  version: StoredVersion;
  /** The value's bytes when the record holds them (see `Reader.valueOf`). */
  inline?: Uint8Array;
}

/** What locating and checking a version's value takes. */
type VersionRef = Pick<StoredVersion, 'versionId' | 'micros' | 'contentHash'>;

export interface VersionRange {
  fromMicros?: number;
  toMicros?: number;
  reverse?: boolean;
  limit?: number;
}

function corrupted(namespace: string, key: string, what: string, cause?: unknown): CorruptedError {
  return new CorruptedError(`Corrupted data for ${fullKey(namespace, key)}: ${what}`, { namespace, key, cause });
}

/**
 * Read side of the engine over any `StoreReader`. Every value read from the store is checked
 * against its content hash before it is parsed, so damage is reported instead of returned.
 */
export class Reader {
  constructor(private readonly store: StoreReader) {}

  head(namespace: string, key: string): DecodedRecord | undefined {
    const bytes = this.store.get('heads', headKey(namespace, key));
    if (!bytes) return undefined;
    try {
      return decodeRecord(bytes);
    } catch (err) {
      throw corrupted(namespace, key, 'the head record cannot be decoded', err);
    }
  }

  /**
   * The current version and its verified value, decoded straight from the store's own bytes
   * (no copy): the hot path of `get`.
   */
  current(namespace: string, key: string): { head: HeadFields; value: JsonValue; size: number } | undefined {
    return this.store.read('heads', headKey(namespace, key), (bytes) => {
      let decoded: ReturnType<typeof decodeHead>;
      try {
        decoded = decodeHead(bytes);
      } catch (err) {
        throw corrupted(namespace, key, 'the head record cannot be decoded', err);
      }
      const { head, inline } = decoded;
      if (head.deleted) return { head, value: null, size: 64 };
      if (inline) return { head, value: this.#verified(namespace, key, head, inline), size: inline.length };
      // A large value: the head record holds none, its blob does (the size the cache must count).
      return { head, ...this.#blob(namespace, key, head) };
    });
  }

  /**
   * The verified value of `version`: from `inline` bytes when the caller has its record at hand,
   * else from the version record (small values) or the blob its hash names (large ones).
   */
  value(namespace: string, key: string, version: VersionRef, inline?: Uint8Array): JsonValue {
    if (inline) return this.#verified(namespace, key, version, inline);
    const vk = versionKey(namespace, key, version.micros, version.versionId);
    const fromRecord = this.store.read('versions', vk, (bytes) => {
      const bytesAt = inlineOffset(bytes);
      return bytesAt < bytes.length ? this.#verified(namespace, key, version, bytes.subarray(bytesAt)) : undefined;
    });
    if (fromRecord !== undefined) return fromRecord;
    return this.#blob(namespace, key, version).value;
  }

  /** The verified value of a decoded record (its inline bytes, else its blob). */
  valueOf(namespace: string, key: string, record: DecodedRecord): JsonValue {
    if (record.version.deleted) return null;
    if (record.inline) return this.#verified(namespace, key, record.version, record.inline);
    return this.#blob(namespace, key, record.version).value;
  }

  /** The verified value of a version kept in `blobs` (not inline), and its size in bytes. */
  #blob(namespace: string, key: string, version: VersionRef): { value: JsonValue; size: number } {
    const found = this.store.read('blobs', blobKey(version.contentHash), (bytes) => ({ value: this.#verified(namespace, key, version, bytes), size: bytes.length }));
    if (found === undefined) throw corrupted(namespace, key, `the value of version ${version.versionId} is missing`);
    return found;
  }

  #verified(namespace: string, key: string, version: VersionRef, bytes: Uint8Array): JsonValue {
    if (sha256Hex(bytes) !== version.contentHash) {
      throw corrupted(namespace, key, `the value of version ${version.versionId} does not match its content hash`);
    }
    try {
      return JSON.parse(codec(bytes).utf8Slice(0, bytes.length)) as JsonValue;
    } catch (err) {
      throw corrupted(namespace, key, `the value of version ${version.versionId} is not JSON`, err);
    }
  }

  /** The version current at `micros` (the newest at or before it), tombstones included: one seek. */
  versionAt(namespace: string, key: string, micros: number): DecodedRecord | undefined {
    const upper = versionUpperBound(namespace, key, micros);
    const lower = upper.subarray(0, upper.length - 8);
    for (const { value } of this.store.range('versions', { gte: lower, lt: upper, reverse: true, limit: 1 })) {
      try {
        return decodeRecord(value);
      } catch (err) {
        throw corrupted(namespace, key, 'a version record cannot be decoded', err);
      }
    }
    return undefined;
  }

  *versions(namespace: string, key: string, range: VersionRange = {}): Generator<DecodedRecord> {
    const prefix = versionPrefix(namespace, key);
    const entries = this.store.range('versions', {
      gte: range.fromMicros !== undefined ? versionLowerBound(namespace, key, range.fromMicros) : prefix,
      lt: range.toMicros !== undefined ? versionUpperBound(namespace, key, range.toMicros) : prefixEnd(prefix),
      reverse: range.reverse,
      limit: range.limit,
    });
    for (const { value } of entries) {
      try {
        yield decodeRecord(value);
      } catch (err) {
        throw corrupted(namespace, key, 'a version record cannot be decoded', err);
      }
    }
  }

  /**
   * Heads of a namespace in key order (tombstones included). With `borrow`, each record's inline
   * bytes are lent by the store: use them before asking for the next head or reading anything else.
   */
  *heads(namespace: string, borrow = false): Generator<{ key: string; record: DecodedRecord }> {
    const prefix = namespacePrefix(namespace);
    const skip = prefix.length;
    for (const { key, value } of this.store.range('heads', { gte: prefix, lt: prefixEnd(prefix), borrow })) {
      const k = codec(key).utf8Slice(skip, key.length);
      let record: DecodedRecord;
      try {
        record = decodeRecord(value);
      } catch (err) {
        throw corrupted(namespace, k, 'the head record cannot be decoded', err);
      }
      yield { key: k, record };
    }
  }

  /** One change-log entry. */
  change(seq: number): ChangeEntry | undefined {
    for (const c of this.changesAfter(seq - 1, 1)) return c.seq === seq ? c : undefined;
    return undefined;
  }

  /** The version of a key just before `micros` (what a version at `micros` superseded, in time order). */
  versionBefore(namespace: string, key: string, micros: number): StoredVersion | undefined {
    return micros > 0 ? this.versionAt(namespace, key, micros - 1)?.version : undefined;
  }

  /** Change-log entries with seq greater than `afterSeq`, in order. */
  *changesAfter(afterSeq: number, limit = Infinity): Generator<ChangeEntry> {
    if (limit <= 0) return;
    // A log entry holds a whole commit: keyed by its first seq, the versions keys of its writes.
    // Start at the entry holding afterSeq + 1, the last one keyed at or below it.
    let from = u64(afterSeq + 1);
    for (const { key } of this.store.range('changes', { lte: from, reverse: true, limit: 1 })) from = Buffer.from(key);
    let left = limit;
    for (const { key, value } of this.store.range('changes', { gte: from })) {
      let seq = readU64(key);
      let versionKeys: Buffer[];
      try {
        versionKeys = splitVersionKeys(value);
      } catch (err) {
        throw new CorruptedError(`Corrupted change log: the entry at seq ${seq} cannot be read`, { cause: err });
      }
      for (const vk of versionKeys) {
        if (seq > afterSeq) {
          const { namespace, key: k } = splitVersionKey(vk);
          const bytes = this.store.get('versions', vk);
          if (!bytes) throw corrupted(namespace, k, `change ${seq} points to a missing version`);
          const { version, inline } = decodeRecord(bytes);
          yield { seq, namespace, key: k, version, inline };
          if (--left === 0) return;
        }
        seq++;
      }
    }
  }
}
