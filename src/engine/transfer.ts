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
function importedMicros(timestamp: string, namespace: string, key: string): number {
  const micros = keyTimeMicros(timestamp, namespace, key, 'timestamp');
  if (micros < 0) {
    throw new InvalidTimeError(
      `Cannot import ${fullKey(namespace, key)}: timestamp ${JSON.stringify(timestamp)} is before 1970-01-01T00:00:00Z, the earliest time a version can have`,
      { namespace, key },
    );
  }
  return micros;
}

/**
 * Checks one imported record completely (names, hash of the value, id of the version) and turns it
 * into a write. A value that does not match its hash is refused as CORRUPTED.
 */
export function importOp(record: ExportRecord, maxValueBytes: number): WriteOp {
  if (!record || typeof record !== 'object') bad(record, 'expected an object');
  const { namespace, key } = record;
  checkNamespace(namespace);
  checkKey(namespace, key);
  if (typeof record.versionId !== 'string' || !/^[0-9a-f]{32}$/.test(record.versionId)) bad(record, 'versionId must be 32 hex digits');
  if (typeof record.origin !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(record.origin)) bad(record, 'origin must be a node id');
  const parents = record.parents ?? (record.previousVersion ? [record.previousVersion] : []);
  if (!Array.isArray(parents) || parents.some((p) => typeof p !== 'string' || !/^[0-9a-f]{32}$/.test(p))) bad(record, 'parents must be version ids');
  if (typeof record.timestamp !== 'string') bad(record, 'timestamp is missing');
  const micros = importedMicros(record.timestamp, namespace, key);
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
