/** KoruDelta's public API (DESIGN §4). */
export { KoruDelta } from './koru-delta.js';
export {
  toMicros, formatMicros, RESERVED_NAMESPACES,
  type JsonValue, type VersionedValue, type TimeInput, type HistoryOptions, type BatchWrite,
  type DatabaseStats, type StartOptions, type CacheOptions, type VerifyIssue, type VerifyReport,
  type CommitListener, type CommittedWrite, type ExportRecord, type ImportResult,
} from './engine/index.js';
export * from './errors.js';
