import type {
  DatabaseStats, ExportRecord, ImportResult, TimeInput, VerifyReport, VersionedValue,
} from '../engine/types.js';
import type { ChangeEvent, SubscriptionFilter } from '../events/types.js';
import type { FilteredHistoryOptions, Query, QueryResult } from '../query/types.js';
import type { ViewDefinition, ViewInfo } from '../views/types.js';

/** `stats()` plus where the database lives: what `kdelta status` and `GET /api/v1/status` show. */
export interface StatusInfo extends DatabaseStats {
  nodeId: string;
  /** Database directory (null in memory; for a remote server, the server's path). */
  path: string | null;
  diskSize: number;
  /** Seconds the serving process has run (servers only). */
  uptime?: number;
}

/**
 * The operations the CLI needs, implemented by a local database adapter and by the HTTP client
 * (`korudelta/client`), so every command runs the same way locally and with `--url`.
 */
export interface KoruBackend {
  put(namespace: string, key: string, value: unknown): Promise<VersionedValue>;
  get(namespace: string, key: string): Promise<VersionedValue>;
  getAt(namespace: string, key: string, at: TimeInput): Promise<VersionedValue>;
  history(namespace: string, key: string, options?: FilteredHistoryOptions): Promise<VersionedValue[]>;
  delete(namespace: string, key: string): Promise<VersionedValue>;
  listKeys(namespace: string): Promise<string[]>;
  listNamespaces(): Promise<string[]>;
  status(): Promise<StatusInfo>;
  query(namespace: string, query?: Query): Promise<QueryResult>;
  createView(definition: ViewDefinition): Promise<ViewInfo>;
  listViews(): Promise<ViewInfo[]>;
  refreshView(name: string): Promise<ViewInfo>;
  queryView(name: string): Promise<QueryResult>;
  deleteView(name: string): Promise<void>;
  /** Change events until the iterator is returned (or the signal aborts). */
  watch(filter: SubscriptionFilter, signal?: AbortSignal): AsyncIterable<ChangeEvent>;
  exportVersions(options?: { at?: TimeInput }): AsyncIterable<ExportRecord>;
  importVersions(records: AsyncIterable<ExportRecord> | Iterable<ExportRecord>): Promise<ImportResult>;
  verify(): Promise<VerifyReport>;
  close(): Promise<void>;
}
