/** KoruDelta's public API (DESIGN §4). */
export { KoruDelta, type KoruDeltaOptions, type FilteredHistoryOptions } from './koru-delta.js';
export type {
  Query, QueryResult, QueryRecord, Filter, FieldFilter, FilterOp, SortSpec, Aggregation, AggregationResult,
} from './query/types.js';
export { parseExpression } from './query/index.js';
export type { ChangeEvent, ChangeType, ChangeListener, Subscription, SubscriptionFilter } from './events/types.js';
export type { ViewDefinition, ViewInfo } from './views/types.js';
export {
  toMicros, formatMicros, RESERVED_NAMESPACES,
  type JsonValue, type VersionedValue, type TimeInput, type HistoryOptions, type BatchWrite,
  type DatabaseStats, type StartOptions, type CacheOptions, type VerifyIssue, type VerifyReport,
  type CommitListener, type CommittedWrite, type ExportRecord, type ImportResult,
} from './engine/index.js';
export * from './errors.js';
