import type { StoreReader, WriteTxn } from '../storage/store.js';
import { codec } from '../storage/buffer-codec.js';
import { versionLowerBound, versionPrefix } from './keys.js';

/**
 * Versions imported without their parents. An import may carry a key's history only from some
 * version on (an export `at` a time holds each key's version of that moment, whose parent stays
 * behind), like a shallow clone. The importing transaction records which parents were absent, so
 * `verify()` can tell such a boundary from a lost version. Parents that arrive later are found as
 * usual; the record then no longer matters.
 */
const SHALLOW = 'shallow:';

/** Versions found by a first, short look back: a parent is nearly always just before its child. */
const NEAR = 8;

/** The parents of a version about to be imported that this key does not have (yet). */
export function absentParents(txn: StoreReader, namespace: string, key: string, version: { micros: number; parents: readonly string[] }): string[] {
  if (version.parents.length === 0) return [];
  const wanted = new Set(version.parents);
  const range = { gte: versionPrefix(namespace, key), lt: versionLowerBound(namespace, key, version.micros), reverse: true };
  for (const limit of [NEAR, Infinity]) {
    let seen = 0;
    for (const { key: k } of txn.range('versions', { ...range, limit })) {
      // A versions key ends with the version id's 16 bytes.
      wanted.delete(codec(k).toString('hex', k.length - 16, k.length));
      seen++;
      if (wanted.size === 0) return [];
    }
    if (seen < limit) break;
  }
  return [...wanted];
}

export function recordAbsentParents(txn: WriteTxn, versionId: string, parents: readonly string[]): void {
  txn.put('meta', SHALLOW + versionId, Buffer.from(parents.join(','), 'latin1'));
}

/** The parents of `versionId` that were absent when it was imported. */
export function parentsAbsentAtImport(reader: StoreReader, versionId: string): ReadonlySet<string> {
  const ids = reader.read('meta', SHALLOW + versionId, (bytes) => codec(bytes).latin1Slice(0, bytes.length));
  return new Set(ids ? ids.split(',') : []);
}
