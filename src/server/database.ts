import type {
  BatchWrite, CommitListener, DatabaseStats, ExportRecord, HistoryOptions, ImportResult, TimeInput,
  VerifyReport, VersionedValue,
} from '../engine/index.js';
import type { Store } from '../storage/store.js';
import type { ChangeListener, Subscription, SubscriptionFilter } from '../events/types.js';
import type { Query, QueryResult } from '../query/types.js';
import type { ViewDefinition, ViewInfo } from '../views/types.js';

/**
 * The part of `KoruDelta` the server uses. `KoruDelta` satisfies it; naming it here keeps the
 * routes honest about what they touch and lets tests serve any object of this shape.
 */
export interface ServedDatabase {
  readonly nodeId: string;
  readonly path: string | null;
  /** Engine internals, read by the GET fast path to check a cached response is still current. */
  readonly store: Store;
  put(namespace: string, key: string, value: unknown): Promise<VersionedValue>;
  get(namespace: string, key: string): Promise<VersionedValue>;
  getAt(namespace: string, key: string, at: TimeInput): Promise<VersionedValue>;
  history(namespace: string, key: string, options?: HistoryOptions): Promise<VersionedValue[]>;
  delete(namespace: string, key: string): Promise<VersionedValue>;
  putBatch(writes: readonly BatchWrite[]): Promise<VersionedValue[]>;
  listKeys(namespace: string): Promise<string[]>;
  listNamespaces(): Promise<string[]>;
  stats(): Promise<DatabaseStats>;
  diskSize(): Promise<number>;
  onCommit(listener: CommitListener): () => void;
  query(namespace: string, query: Query): Promise<QueryResult>;
  createView(definition: ViewDefinition): Promise<ViewInfo>;
  listViews(): Promise<ViewInfo[]>;
  refreshView(name: string): Promise<ViewInfo>;
  queryView(name: string): Promise<QueryResult>;
  deleteView(name: string): Promise<void>;
  subscribe(filter: SubscriptionFilter, listener: ChangeListener): Subscription;
  exportVersions(options?: { at?: TimeInput }): AsyncIterable<ExportRecord>;
  importVersions(records: AsyncIterable<ExportRecord> | Iterable<ExportRecord>): Promise<ImportResult>;
  verify(): Promise<VerifyReport>;
  close(): Promise<void>;
}
