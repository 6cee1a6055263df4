import { CorruptedError, InvalidTimeError, InvalidValueError, fullKey } from '../errors.js';
import { checkKey, checkNamespace } from './names.js';
import type { Reader } from './reader.js';
import type { StoredVersion } from './record.js';
import { formatMicros, keyTimeMicros } from './time.js';
import type { ExportRecord, JsonValue } from './types.js';
import { NULL_HASH, encodeValue } from './value.js';
import { versionIdOf } from './version-id.js';
import type { WriteOp } from './write-path.js';

/**
 * Export and import of versions with their replication metadata. An export in commit order
 * re-imported anywhere recreates the same versions (ids, timestamps, chains); importing twice adds
 * nothing because a version already present is skipped by id.
 */

export function toExportRecord(namespace: string, key: string, v: StoredVersion, value: JsonValue): ExportRecord {
  return {
    namespace, key, value: v.deleted ? null : value, versionId: v.versionId, contentHash: v.contentHash,
    timestamp: formatMicros(v.micros), previousVersion: v.parents[0] ?? null, deleted: v.deleted,
    origin: v.origin, parents: [...v.parents],
  };
}

/** Every version in commit (change-log) order. */
export function* exportHistory(reader: Reader): Generator<ExportRecord> {
  for (const c of reader.changesAfter(0)) {
    const value = c.version.deleted ? null : reader.value(c.namespace, c.key, c.version, c.inline);
    yield toExportRecord(c.namespace, c.key, c.version, value);
  }
}

/** The live versions current at `micros`, namespace by namespace, key by key. */
export function* exportSnapshot(reader: Reader, namespaces: string[], micros: number): Generator<ExportRecord> {
  for (const namespace of namespaces) {
    for (const { key } of reader.heads(namespace)) {
      const at = reader.versionAt(namespace, key, micros);
      if (at && !at.version.deleted) yield toExportRecord(namespace, key, at.version, reader.valueOf(namespace, key, at));
    }
  }
}

function bad(record: Partial<ExportRecord>, what: string): never {
  const where = typeof record?.namespace === 'string' && typeof record?.key === 'string' ? fullKey(record.namespace, record.key) : 'a record';
  throw new InvalidValueError(`Cannot import ${where}: ${what}`);
}

/** An imported version's time: versions keys hold times from the epoch on (a u64 of µs). */
/**
 * How far ahead of this machine's clock an imported version may be dated. The database's clock
 * follows the versions it takes in, so a version from the future would date every later write
 * after it (and past 2255 a microsecond count no longer fits a double exactly). A little skew
 * between the machines that exported and import is fine.
 */
export const MAX_IMPORT_AHEAD_MICROS = 60_000_000;

function importedMicros(timestamp: string, namespace: string, key: string, nowMicros: number): number {
  const micros = keyTimeMicros(timestamp, namespace, key, 'timestamp');
  if (micros < 0) {
    throw new InvalidTimeError(
      `Cannot import ${fullKey(namespace, key)}: timestamp ${JSON.stringify(timestamp)} is before 1970-01-01T00:00:00Z, the earliest time a version can have`,
      { namespace, key },
    );
  }
  if (micros > nowMicros + MAX_IMPORT_AHEAD_MICROS) {
    throw new InvalidTimeError(
      `Cannot import ${fullKey(namespace, key)}: timestamp ${JSON.stringify(timestamp)} is more than ${MAX_IMPORT_AHEAD_MICROS / 1e6} s ahead of this machine's clock (${formatMicros(nowMicros)}); a version cannot be dated in the future`,
      { namespace, key },
    );
  }
  return micros;
}

const VERSION_ID = /^[0-9a-f]{32}$/;
const HASH = /^[0-9a-f]{64}$/;
const NODE_ID = /^[A-Za-z0-9_.-]{1,64}$/;

type Fields = Record<string, unknown>;

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

function wrongString(r: Fields, field: string, pattern: RegExp, what: string): string | undefined {
  const v = r[field];
  if (v === undefined) return `"${field}" is missing`;
  if (typeof v !== 'string') return `"${field}" must be ${what}, got ${typeName(v)}`;
  return pattern.test(v) ? undefined : `"${field}" must be ${what}, got ${JSON.stringify(v.slice(0, 80))}`;
}

function wrongName(r: Fields): string | undefined {
  for (const field of ['namespace', 'key']) {
    if (r[field] === undefined) return `"${field}" is missing`;
    if (typeof r[field] !== 'string') return `"${field}" must be a string, got ${typeName(r[field])}`;
  }
  return undefined;
}

function wrongChain(r: Fields): string | undefined {
  const { previousVersion: previous, parents, deleted } = r;
  if (previous !== undefined && previous !== null && !(typeof previous === 'string' && VERSION_ID.test(previous))) {
    return '"previousVersion" must be a version id (32 hex digits) or null';
  }
  if (parents !== undefined && !(Array.isArray(parents) && parents.every((p) => typeof p === 'string' && VERSION_ID.test(p)))) {
    return '"parents" must be an array of version ids (32 hex digits)';
  }
  // Both given, they must agree: a record that says two things about its parent was edited.
  if (previous !== undefined && Array.isArray(parents) && previous !== (parents[0] ?? null)) {
    return '"previousVersion" must be the first of "parents" (null when there are none)';
  }
  if (deleted !== undefined && typeof deleted !== 'boolean') return `"deleted" must be true or false, got ${typeName(deleted)}`;
  if (deleted !== true && !Object.hasOwn(r, 'value')) return '"value" is missing';
  return undefined;
}

/**
 * What makes `item` not an exported version by its shape alone (`expected an exported version
 * (…)`, naming the field), or undefined. `importOp` checks names, times, hash and id on top.
 */
export function exportRecordProblem(item: unknown): string | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return 'expected an exported version (a JSON object)';
  const r = item as Fields;
  const wrong = wrongName(r)
    ?? wrongString(r, 'versionId', VERSION_ID, 'a version id (32 hex digits)')
    ?? wrongString(r, 'contentHash', HASH, 'a SHA-256 hash (64 hex digits)')
    ?? wrongString(r, 'timestamp', /^/, 'a string')
    ?? wrongString(r, 'origin', NODE_ID, 'a node id')
    ?? wrongChain(r);
  return wrong === undefined ? undefined : `expected an exported version (${wrong})`;
}

/**
 * Checks one imported record completely (shape, names, time, hash of the value, id of the version)
 * and turns it into a write. A value that does not match its hash is refused as CORRUPTED. Pure:
 * a caller may run it over a whole file before importing any of it.
 */
export function importOp(record: ExportRecord, maxValueBytes: number, nowMicros = Date.now() * 1000): WriteOp {
  const wrong = exportRecordProblem(record);
  if (wrong !== undefined) bad(record, wrong);
  const { namespace, key } = record;
  checkNamespace(namespace);
  checkKey(namespace, key);
  const parents = record.parents ?? (record.previousVersion ? [record.previousVersion] : []);
  const micros = importedMicros(record.timestamp, namespace, key, nowMicros);
  const deleted = record.deleted === true;
  const encoded = deleted
    ? { bytes: Buffer.from('null'), contentHash: NULL_HASH, value: null }
    : encodeValue(record.value, namespace, key, maxValueBytes);
  if (record.contentHash !== encoded.contentHash) {
    throw new CorruptedError(`Cannot import ${fullKey(namespace, key)} version ${record.versionId}: the value does not match its content hash`, { namespace, key });
  }
  if (versionIdOf(record.origin, namespace, key, micros, encoded.contentHash, deleted, parents) !== record.versionId) {
    throw new CorruptedError(`Cannot import ${fullKey(namespace, key)} version ${record.versionId}: the id does not match the version's contents`, { namespace, key });
  }
  const value = encoded.value;
  return {
    kind: 'import', namespace, key, encoded, value,
    version: { versionId: record.versionId, micros, parents, contentHash: encoded.contentHash, deleted, origin: record.origin },
  };
}
