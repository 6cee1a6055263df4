import { InvalidQueryError, fullKey } from '../errors.js';
import type { Reader } from './reader.js';
import type { StoredVersion } from './record.js';
import { formatMicros, keyTimeMicros } from './time.js';
import type { HistoryOptions, JsonValue, VersionedValue } from './types.js';
import { cloneJson } from './value.js';

/**
 * Reading the versions of one key, as `history` returns them. Without a filter, `latest`/`limit`
 * are handed to the store, so a range scan reads only the versions returned; with one, they count
 * matching versions, so the scan runs until enough have matched.
 */

/** A stored version as the API returns it. */
export function toVersioned(namespace: string, key: string, v: StoredVersion, value: JsonValue): VersionedValue {
  return {
    namespace, key, value: v.deleted ? null : value, versionId: v.versionId, contentHash: v.contentHash,
    timestamp: formatMicros(v.micros), previousVersion: v.parents[0] ?? null, deleted: v.deleted,
  };
}

/** `HistoryOptions` checked and resolved: times in microseconds, counts validated. */
export interface HistoryScan {
  fromMicros?: number;
  toMicros?: number;
  latest?: number;
  limit?: number;
}

/** Checks `history` options for `namespace/key`: INVALID_TIME or INVALID_QUERY naming the key. */
export function historyScan(namespace: string, key: string, options: HistoryOptions): HistoryScan {
  return {
    fromMicros: options.from === undefined ? undefined : keyTimeMicros(options.from, namespace, key, 'history.from'),
    toMicros: options.to === undefined ? undefined : keyTimeMicros(options.to, namespace, key, 'history.to'),
    latest: count(options.latest, 'latest', namespace, key),
    limit: count(options.limit, 'limit', namespace, key),
  };
}

function count(n: unknown, option: string, namespace: string, key: string): number | undefined {
  if (n === undefined || (typeof n === 'number' && Number.isInteger(n) && n >= 0)) return n;
  const path = `history.${option}`;
  throw new InvalidQueryError(
    `Invalid query at ${path} for ${fullKey(namespace, key)}: expected a non-negative integer, got ${describe(n)}`,
    { namespace, key, path },
  );
}

function describe(n: unknown): string {
  if (typeof n === 'number') return String(n);
  return typeof n === 'string' ? JSON.stringify(n) : n === null ? 'null' : `a ${typeof n}`;
}

/**
 * The versions of `namespace/key` that `scan` selects, oldest first, tombstones included. With
 * `match`, only live versions whose value it accepts, `latest` and `limit` choosing among those.
 */
export function readHistory(
  reader: Reader, namespace: string, key: string, scan: HistoryScan, match?: (value: JsonValue) => boolean,
): VersionedValue[] {
  const { latest, limit } = scan;
  const reverse = latest !== undefined;
  const wanted = reverse ? latest : limit;
  if (wanted === 0) return [];
  const records = reader.versions(namespace, key, {
    fromMicros: scan.fromMicros, toMicros: scan.toMicros, reverse, limit: match ? undefined : wanted,
  });
  const picked: VersionedValue[] = [];
  // Repeated values (a key flipping between states) are parsed and verified once.
  const values = new Map<string, JsonValue>();
  for (const record of records) {
    const v = record.version;
    if (match && v.deleted) continue;
    let value = values.get(v.contentHash);
    const first = value === undefined;
    if (value === undefined) {
      value = reader.valueOf(namespace, key, record);
      values.set(v.contentHash, value);
    }
    if (match && !match(value)) continue;
    picked.push(toVersioned(namespace, key, v, first ? value : cloneJson(value)));
    if (picked.length === wanted) break;
  }
  if (!reverse) return picked;
  picked.reverse();
  return limit === undefined ? picked : picked.slice(0, limit);
}
