/** Public record types of the engine (DESIGN §4). */

/** Any value JSON can represent. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * One immutable version of a key. `timestamp` is ISO-8601 UTC with 6 fractional digits (µs) from the
 * node's hybrid logical clock; `versionId` is identical on every replica; `contentHash` is the SHA-256
 * (hex) of the RFC 8785 canonical JSON of `value`. Tombstones have `deleted: true` and `value: null`.
 */
export interface VersionedValue<T extends JsonValue = JsonValue> {
  namespace: string;
  key: string;
  value: T;
  versionId: string;
  contentHash: string;
  timestamp: string;
  previousVersion: string | null;
  deleted: boolean;
}

/** Replication metadata kept with every version (not part of the everyday record). */
export interface VersionOrigin {
  /** Id of the node that made the write. */
  origin: string;
  /** Every head this version superseded (one entry, or several after a merge; empty for the first). */
  parents: string[];
  /** Local change-log sequence number of this version. */
  seq: number;
}

/** A time as the API accepts it: a `Date`, an ISO-8601 string (any precision, `Z` or offset), or epoch ms. */
export type TimeInput = Date | string | number;

export interface HistoryOptions {
  /** Inclusive lower bound. */
  from?: TimeInput;
  /** Inclusive upper bound. */
  to?: TimeInput;
  /** Keep only the newest n versions (after from/to and `filter`). A non-negative integer, else INVALID_QUERY. */
  latest?: number;
  /** Keep only the first n versions, oldest first (after from/to, `filter` and latest). A non-negative integer. */
  limit?: number;
}

export interface BatchWrite {
  namespace: string;
  key: string;
  value: unknown;
}

export interface DatabaseStats {
  /** Live (not deleted) keys. */
  keyCount: number;
  /** Every version, tombstones included. */
  totalVersions: number;
  /** Namespaces with at least one live key. */
  namespaceCount: number;
  /** Last change-log sequence number. */
  lastSeq: number;
  /** Live key counts per namespace, sorted by name. */
  namespaces: Array<{ namespace: string; keyCount: number }>;
}

export interface CacheOptions {
  /** Most entries the hot cache keeps (0 disables it). Default 10,000. */
  maxEntries?: number;
  /** Most bytes of serialized values the hot cache keeps. Default 64 MiB. */
  maxBytes?: number;
}

export interface StartOptions {
  /** Directory of an on-disk (LMDB) database, created if missing. Omit for an in-memory database. */
  path?: string;
  /** Largest accepted value, in bytes of serialized JSON. Default 16 MiB. */
  maxValueBytes?: number;
  cache?: CacheOptions;
  /**
   * The size the data file may reach, in bytes (on-disk only); writes are then refused with
   * STORAGE_FULL. Default 64 GiB.
   */
  mapSizeBytes?: number;
}

/** One problem `verify()` found. */
export interface VerifyIssue {
  kind: 'hash-mismatch' | 'broken-chain' | 'missing-value' | 'undecodable' | 'head-mismatch' | 'change-log';
  /** The key involved; empty for a change-log entry that names none (it cannot be read, or is missing). */
  namespace: string;
  key: string;
  versionId?: string;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  versionsChecked: number;
  keysChecked: number;
  issues: VerifyIssue[];
}

/**
 * A version with its replication metadata: the unit of export, import and replication (one NDJSON
 * line of `kdelta export`). Importing it anywhere recreates exactly this version.
 */
export interface ExportRecord extends VersionedValue {
  /** Node id of the node that made the write. */
  origin: string;
  /** Every version it superseded. */
  parents: string[];
}

export interface ImportResult {
  /** Versions written. */
  imported: number;
  /** Versions already present (same versionId): nothing written. */
  skipped: number;
}
