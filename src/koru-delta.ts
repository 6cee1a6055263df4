import { Engine } from './engine/engine.js';
import { BUCKETS } from './engine/keys.js';
import { LmdbStore } from './storage/lmdb-store.js';
import { StoreDamagedError } from './storage/store.js';
import { DamagedDatabaseError, InvalidValueError } from './errors.js';
import { MemoryStore } from './storage/memory-store.js';
import { checkKey, checkNamespace, cloneJson, formatMicros, toMicros } from './engine/index.js';
import { databaseDirectory } from './engine/open.js';
import type { JsonValue, StartOptions, VersionedValue } from './engine/types.js';
import { ChangeFeed, type ChangeFeedOptions } from './events/change-feed.js';
import type { ChangeEvent, ChangeListener, SubscribeOptions, Subscription, SubscriptionFilter } from './events/types.js';
import { compileHistoryFilter, compileQuery, runQuery } from './query/index.js';
import type { FilteredHistoryOptions, Query, QueryRecord, QueryResult } from './query/types.js';

export type { FilteredHistoryOptions };
import type { ViewDefinition, ViewInfo } from './views/types.js';
import { ViewManager } from './views/view-manager.js';

export interface KoruDeltaOptions extends StartOptions {
  /** Change feed tuning (polling for other processes' writes, watch buffering). */
  events?: ChangeFeedOptions;
}


/** A document as a query sees it; most are filtered out, so its timestamp is formatted only if asked. */
class ScannedRecord implements QueryRecord {
  constructor(readonly key: string, public value: JsonValue, readonly versionId: string, readonly micros: number) {}

  get timestamp(): string {
    return formatMicros(this.micros);
  }
}

/**
 * A KoruDelta database (DESIGN §4): versioned JSON documents under `namespace/key`, time travel,
 * history, queries, materialized views and change subscriptions.
 *
 * ```ts
 * const db = await KoruDelta.start();                    // in memory
 * const db = await KoruDelta.start({ path: './data' });  // on disk (LMDB)
 * ```
 * Every method reports failure by rejecting its promise with a `KoruDeltaError`.
 */
export class KoruDelta extends Engine {
  #feed!: ChangeFeed;
  #views!: ViewManager;

  static async start(options: KoruDeltaOptions = {}): Promise<KoruDelta> {
    const store = options.path === undefined
      ? new MemoryStore(BUCKETS)
      : openLmdb(databaseDirectory(options.path), options.mapSizeBytes);
    const db = await Engine.openWith((s, nodeId, opts) => new KoruDelta(s, nodeId, opts), store, options);
    db.#feed = new ChangeFeed(db, options.events);
    db.#views = new ViewManager(db);
    return db;
  }

  /**
   * Filters, sorts, pages, projects and aggregates the live documents of a namespace (as of
   * `query.at` when given). Streams the namespace once, keeping only what the page needs.
   */
  async query(namespace: string, query: Query = {}): Promise<QueryResult> {
    this.assertOpen(namespace);
    checkNamespace(namespace);
    const compiled = compileQuery(query);
    const at = compiled.query.at === undefined ? undefined : toMicros(compiled.query.at);
    const result = runQuery(this.#records(namespace, at), compiled);
    // Documents came straight from the engine (possibly its cache): hand out copies.
    for (const r of result.records) r.value = cloneJson(r.value);
    return result;
  }

  *#records(namespace: string, at?: number): Generator<QueryRecord> {
    for (const d of this.documents(namespace, at)) yield new ScannedRecord(d.key, d.value, d.version.versionId, d.version.micros);
  }

  /** With `filter`, tombstones are left out and `latest`/`limit` choose among the matching versions. */
  override async history(namespace: string, key: string, options: FilteredHistoryOptions = {}): Promise<VersionedValue[]> {
    this.assertOpen(namespace, key);
    const { filter, ...range } = options ?? {};
    if (filter === undefined) return this.historyMatching(namespace, key, range);
    checkNamespace(namespace);
    checkKey(namespace, key);
    return this.historyMatching(namespace, key, range, compileHistoryFilter(filter, namespace, key));
  }

  // ---- views --------------------------------------------------------------------------------

  async createView(definition: ViewDefinition): Promise<ViewInfo> {
    this.assertOpen();
    return this.#views.create(definition);
  }

  async listViews(): Promise<ViewInfo[]> {
    this.assertOpen();
    return this.#views.list();
  }

  async refreshView(name: string): Promise<ViewInfo> {
    this.assertOpen();
    return this.#views.refresh(name);
  }

  async queryView(name: string): Promise<QueryResult> {
    this.assertOpen();
    return this.#views.query(name);
  }

  async deleteView(name: string): Promise<void> {
    this.assertOpen();
    return this.#views.delete(name);
  }

  // ---- subscriptions ------------------------------------------------------------------------

  /**
   * Calls `listener` with every matching change: synchronously and in commit order for this
   * instance's writes, within a second for other processes' writes to the same database. With
   * `since`, missed changes are replayed from the change log first, with no gap or duplicate.
   */
  subscribe(filter: SubscriptionFilter, listener: ChangeListener, options?: SubscribeOptions): Subscription {
    this.assertOpen();
    return this.#feed.subscribe(filter, listener, options);
  }

  /** Ends a subscription; SUBSCRIPTION_NOT_FOUND if it is unknown or already ended. */
  unsubscribe(id: string): void {
    this.assertOpen();
    this.#feed.unsubscribe(id);
  }

  /** The same as `subscribe`, as an async iterator: `for await (const event of db.watch({ namespace }))`. */
  watch(filter: SubscriptionFilter = {}): AsyncIterableIterator<ChangeEvent> {
    this.assertOpen();
    return this.#feed.watch(filter);
  }

  /** The change feed itself (servers report its subscriber count). */
  get changeFeed(): ChangeFeed {
    return this.#feed;
  }

  /** Lets in-flight writes finish (with their view updates and events), then closes. */
  override async close(): Promise<void> {
    await super.close();
    this.#feed?.close();
    this.#views?.close();
  }
}

/** The smallest size limit accepted: a new database's data file takes a few pages. */
const MIN_MAP_BYTES = 64 * 1024;

/** The on-disk store at `path`; a data file that cannot be opened safely is CORRUPTED. */
function openLmdb(path: string, mapSizeBytes: unknown): LmdbStore {
  // A map size lmdb cannot set makes it fault in the native open, so it is checked here.
  if (mapSizeBytes !== undefined && !(Number.isSafeInteger(mapSizeBytes) && (mapSizeBytes as number) >= MIN_MAP_BYTES)) {
    const given = typeof mapSizeBytes === 'number' ? String(mapSizeBytes) : JSON.stringify(mapSizeBytes) ?? typeof mapSizeBytes;
    throw new InvalidValueError(`Invalid mapSizeBytes: ${given} (expected a whole number of bytes, at least ${MIN_MAP_BYTES})`);
  }
  try {
    return new LmdbStore({ path, buckets: BUCKETS, mapSizeBytes: mapSizeBytes as number | undefined });
  } catch (err) {
    if (!(err instanceof StoreDamagedError)) throw err;
    throw new DamagedDatabaseError(`Corrupted database at ${path}: ${err.problem}; restore it from a backup or an export`, { cause: err });
  }
}

