import { resolve } from 'node:path';
import {
  InvalidValueError, KeyNotFoundError, databaseClosed, NoValueAtTimestampError, fullKey,
} from '../errors.js';
import type { Store } from '../storage/store.js';
import { HybridClock } from './clock.js';
import { HotCache, type CachedHead } from './hot-cache.js';
import { allNamespaces, namespaceCounts } from './namespaces.js';
import { ensureNodeId } from './open.js';
import { historyScan, readHistory, toVersioned } from './history.js';
import { exportHistory, exportSnapshot, importOp } from './transfer.js';
import { verifyStore } from './verify.js';
import { META, readNumber } from './meta.js';
import { checkKey, checkNamespace } from './names.js';
import { Reader } from './reader.js';
import type { StoredVersion } from './record.js';
import { formatMicros, keyTimeMicros, toMicros } from './time.js';
import type {
  BatchWrite, DatabaseStats, ExportRecord, HistoryOptions, ImportResult, JsonValue, StartOptions, TimeInput,
  VerifyReport, VersionedValue,
} from './types.js';
import { cloneJson, encodeValue } from './value.js';
import { WritePath, type CommittedWrite, type TransactionHook, type WriteOp } from './write-path.js';

const DEFAULT_MAX_VALUE_BYTES = 16 * 1024 * 1024;

/** Listener of local commits; upper layers (events, views) attach here. */
export type CommitListener = (writes: readonly CommittedWrite[]) => void;

/** A current version as a read found it: a cache entry, or a record read for this call alone. */
type LoadedHead = Pick<CachedHead, 'head' | 'value'> & { timestamp?: string };

/**
 * The versioned engine: JSON documents under `namespace/key`, each write an immutable version.
 * The public `KoruDelta` class extends it with queries, views and subscriptions.
 * Every method reports failure by rejecting with a `KoruDeltaError`.
 */
export class Engine {
  readonly #store: Store;
  readonly #reader: Reader;
  readonly #writes: WritePath;
  readonly #cache: HotCache;
  readonly #clock = new HybridClock();
  readonly #maxValueBytes: number;
  readonly #listeners = new Set<CommitListener>();
  readonly nodeId: string;
  /** Directory of an on-disk database; null in memory. */
  readonly path: string | null;
  #closed = false;
  #closing?: Promise<void>;

  protected constructor(store: Store, nodeId: string, options: StartOptions) {
    this.#store = store;
    this.nodeId = nodeId;
    this.path = options.path === undefined ? null : resolve(options.path);
    this.#reader = new Reader(store);
    this.#maxValueBytes = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
    this.#cache = new HotCache(store, this.#reader, options.cache?.maxEntries ?? 10_000, options.cache?.maxBytes ?? 64 * 1024 * 1024);
    this.#writes = new WritePath(store, this.#clock, nodeId, (w) => this.#afterCommit(w));
  }

  /** Opens the database: in memory without `path`, else on disk (LMDB) in that directory. */
  /** Opens an engine over `store` (which it then owns: closing the engine closes the store). */
  protected static async openWith<T extends Engine>(create: (store: Store, nodeId: string, options: StartOptions) => T, store: Store, options: StartOptions): Promise<T> {
    try {
      return create(store, await ensureNodeId(store), options);
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  // ---- writes -------------------------------------------------------------------------------

  put(namespace: string, key: string, value: unknown): Promise<VersionedValue> {
    // Not `async`, and one promise deep: the write path is hot.
    let op: WriteOp;
    try {
      op = this.#putOp(namespace, key, value);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#writes.submit([op], (done) => toVersioned(namespace, key, done[0].version, cloneJson(done[0].value)));
  }

  async delete(namespace: string, key: string): Promise<VersionedValue> {
    this.#ensureOpen(namespace, key);
    checkNamespace(namespace);
    checkKey(namespace, key);
    const [w] = await this.commit([{ kind: 'delete', namespace, key }]);
    return toVersioned(namespace, key, w.version, null);
  }

  /** Writes every entry in one atomic transaction: all of them or none. */
  async putBatch(writes: readonly BatchWrite[]): Promise<VersionedValue[]> {
    this.#ensureOpen();
    if (!Array.isArray(writes)) throw new TypeError('putBatch expects an array of { namespace, key, value }');
    const ops = writes.map((w, i) => {
      if (w === null || typeof w !== 'object') {
        throw new InvalidValueError(`Invalid batch write #${i + 1}: expected { namespace, key, value }, got ${w === null ? 'null' : typeof w}`);
      }
      return this.#putOp(w.namespace, w.key, w.value);
    });
    if (ops.length === 0) return [];
    const done = await this.commit(ops);
    return done.map((w) => toVersioned(w.namespace, w.key, w.version, cloneJson(w.value)));
  }

  #putOp(namespace: string, key: string, value: unknown): WriteOp {
    this.#ensureOpen(namespace, key);
    checkNamespace(namespace);
    checkKey(namespace, key);
    const encoded = encodeValue(value, namespace, key, this.#maxValueBytes);
    return { kind: 'put', namespace, key, encoded, value: encoded.value };
  }

  /** The single entry to the write path, for this class and the layers that import versions. */
  async commit(ops: WriteOp[]): Promise<CommittedWrite[]> {
    this.#ensureOpen();
    return this.#writes.submit(ops);
  }

  #afterCommit(writes: CommittedWrite[]): void {
    this.#cache.committed(writes);
    for (const listener of this.#listeners) {
      try {
        listener(writes);
      } catch (err) {
        process.emitWarning(`KoruDelta commit listener failed: ${(err as Error)?.message ?? err}`);
      }
    }
  }

  /** Runs `hook` inside every write transaction of this instance (see TransactionHook). */
  onTransaction(hook: TransactionHook): () => void {
    this.#ensureOpen();
    this.#writes.hooks.add(hook);
    return () => this.#writes.hooks.delete(hook);
  }

  /**
   * The live documents of a namespace in key order, as of `atMicros` when given. Values are the
   * engine's own (verified, possibly shared with the cache): callers copy what they hand out.
   */
  *documents(namespace: string, atMicros?: number): Generator<{ key: string; value: JsonValue; version: StoredVersion }> {
    this.#ensureOpen();
    checkNamespace(namespace);
    // Borrowed heads: each value is parsed (or ignored) before the next head is read.
    for (const { key, record } of this.#reader.heads(namespace, atMicros === undefined)) {
      if (atMicros !== undefined) {
        const at = this.#reader.versionAt(namespace, key, atMicros);
        if (at && !at.version.deleted) yield { key, value: this.#reader.valueOf(namespace, key, at), version: at.version };
        continue;
      }
      const { version, inline } = record;
      if (version.deleted) continue;
      // No hot-cache lookup: on a large namespace it costs every document more than its rare hits save.
      yield { key, value: this.#reader.value(namespace, key, version, inline), version };
    }
  }

  /** Calls `listener` after each local commit, before the writers' promises resolve. */
  onCommit(listener: CommitListener): () => void {
    this.#ensureOpen();
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ---- reads --------------------------------------------------------------------------------

  get(namespace: string, key: string): Promise<VersionedValue> {
    // Not `async`: the hottest call skips building an async frame; failures still reject.
    try {
      return Promise.resolve(this.#getNow(namespace, key));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #getNow(namespace: string, key: string): VersionedValue {
    this.#ensureOpen(namespace, key);
    // Only validated names ever enter the cache, so a hit needs no validation (the hot path).
    const caching = !this.#cache.disabled;
    const cached = caching && typeof namespace === 'string' && typeof key === 'string' ? this.#cache.lookup(namespace, key) : undefined;
    let current: LoadedHead | undefined = cached;
    if (!current) {
      checkNamespace(namespace);
      checkKey(namespace, key);
      current = this.#load(namespace, key, caching);
    }
    const v = current.head;
    if (v.deleted) throw this.#notFound(namespace, key);
    // A value fresh from the store that the cache did not keep is already the caller's own.
    const value = caching ? cloneJson(current.value) : current.value;
    // Kept on cache entries only: adding it to a one-off record would change that object's shape.
    let timestamp = current.timestamp;
    if (timestamp === undefined) {
      timestamp = formatMicros(v.micros);
      if (caching) current.timestamp = timestamp;
    }
    return {
      namespace, key, value, versionId: v.versionId, contentHash: v.contentHash,
      timestamp, previousVersion: v.previousVersion, deleted: false,
    };
  }

  async contains(namespace: string, key: string): Promise<boolean> {
    this.#ensureOpen(namespace, key);
    checkNamespace(namespace);
    checkKey(namespace, key);
    const hit = this.#cache.lookup(namespace, key);
    if (hit) return !hit.head.deleted;
    const head = this.#reader.head(namespace, key);
    return head !== undefined && !head.version.deleted;
  }

  async getAt(namespace: string, key: string, at: TimeInput): Promise<VersionedValue> {
    this.#ensureOpen(namespace, key);
    checkNamespace(namespace);
    checkKey(namespace, key);
    const micros = keyTimeMicros(at, namespace, key);
    const record = this.#reader.versionAt(namespace, key, micros);
    if (!record) {
      if (!this.#reader.head(namespace, key)) throw this.#notFound(namespace, key);
      throw new NoValueAtTimestampError(
        `No value for ${fullKey(namespace, key)} at ${formatMicros(micros)}: its first version is later`,
        { namespace, key },
      );
    }
    const { version } = record;
    if (version.deleted) {
      throw new KeyNotFoundError(`Key not found: ${fullKey(namespace, key)} (deleted at ${formatMicros(version.micros)})`, { namespace, key });
    }
    return toVersioned(namespace, key, version, this.#reader.valueOf(namespace, key, record));
  }

  async history(namespace: string, key: string, options: HistoryOptions = {}): Promise<VersionedValue[]> {
    return this.historyMatching(namespace, key, options);
  }

  /**
   * `history`, keeping with `match` only the live versions whose value it accepts (`latest` and
   * `limit` then count those): the query layer's `filter`.
   */
  protected historyMatching(
    namespace: string, key: string, options: HistoryOptions, match?: (value: JsonValue) => boolean,
  ): VersionedValue[] {
    this.#ensureOpen(namespace, key);
    checkNamespace(namespace);
    checkKey(namespace, key);
    const scan = historyScan(namespace, key, options ?? {});
    if (!this.#reader.head(namespace, key)) throw this.#notFound(namespace, key);
    return readHistory(this.#reader, namespace, key, scan, match);
  }

  async listKeys(namespace: string): Promise<string[]> {
    this.#ensureOpen(namespace);
    checkNamespace(namespace);
    const keys: string[] = [];
    for (const { key, record } of this.#reader.heads(namespace)) if (!record.version.deleted) keys.push(key);
    return keys;
  }

  async listNamespaces(): Promise<string[]> {
    this.#ensureOpen();
    return namespaceCounts(this.#store).map((n) => n.namespace);
  }

  async stats(): Promise<DatabaseStats> {
    this.#ensureOpen();
    const namespaces = namespaceCounts(this.#store);
    return {
      keyCount: readNumber(this.#store, META.keys),
      totalVersions: readNumber(this.#store, META.versions),
      namespaceCount: namespaces.length,
      lastSeq: readNumber(this.#store, META.seq),
      namespaces,
    };
  }

  /** Integrity check of the whole database: value hashes, version ids, chains and heads. */
  async verify(): Promise<VerifyReport> {
    this.#ensureOpen();
    await this.#writes.drain();
    return verifyStore(this.#store);
  }

  /**
   * Every version with its replication metadata, in commit order; with `at`, only the versions
   * current at that instant (a point-in-time snapshot, deleted keys left out).
   */
  async *exportVersions(options: { at?: TimeInput } = {}): AsyncGenerator<ExportRecord> {
    this.#ensureOpen();
    const source = options.at === undefined
      ? exportHistory(this.#reader)
      : exportSnapshot(this.#reader, allNamespaces(this.#store), toMicros(options.at));
    let n = 0;
    const records = source[Symbol.iterator]();
    for (;;) {
      let next: IteratorResult<ExportRecord>;
      try {
        next = records.next();
      } catch (err) {
        // Closed while the export was suspended: the store's own error would say nothing useful.
        this.#ensureOpen();
        throw err;
      }
      if (next.done) return;
      yield next.value;
      // Let other work run during long exports; a store read snapshot never spans a yield anyway.
      if (++n % 1000 === 0) await new Promise((r) => setImmediate(r));
      this.#ensureOpen();
    }
  }

  /**
   * Restores exported versions exactly (same ids, timestamps, chains), checking each value against
   * its hash and each id against its version. Versions already present are skipped, so importing
   * the same export twice adds nothing. Commits in chunks; a bad record stops the import there.
   */
  async importVersions(records: AsyncIterable<ExportRecord> | Iterable<ExportRecord>): Promise<ImportResult> {
    this.#ensureOpen();
    const result: ImportResult = { imported: 0, skipped: 0 };
    let chunk: WriteOp[] = [];
    const flush = async () => {
      const done = await this.commit(chunk);
      chunk = [];
      for (const w of done) {
        if (w.applied) result.imported++;
        else result.skipped++;
      }
    };
    for await (const record of records) {
      chunk.push(importOp(record, this.#maxValueBytes));
      if (chunk.length >= 1000) await flush();
    }
    if (chunk.length > 0) await flush();
    return result;
  }

  /** The last change-log sequence number committed by any process. */
  lastSeq(): number {
    this.#ensureOpen();
    return readNumber(this.#store, META.seq);
  }

  /** Whether any version was ever imported: then the change log's timestamps do not grow with seq. */
  hasImports(): boolean {
    this.#ensureOpen();
    return readNumber(this.#store, META.imported) === 1;
  }

  /** Bytes the database occupies on disk (0 in memory). */
  async diskSize(): Promise<number> {
    this.#ensureOpen();
    return this.#store.diskSize();
  }

  /** Finishes in-flight writes, flushes and releases the database. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      await this.#writes.drain();
      await this.#store.close();
      this.#cache.clear();
    })();
    return this.#closing;
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  // ---- internals shared with the layers above ------------------------------------------------

  /**
   * The read side over the store (upper layers scan heads and the change log through it). Usable
   * while `close()` drains in-flight writes, so their events are still delivered.
   */
  get reader(): Reader {
    return this.#reader;
  }

  /** The underlying store; upper layers keep their own state in its `aux` bucket. */
  get store(): Store {
    this.#ensureOpen();
    return this.#store;
  }

  /** Reads the current version from the store (verifying it) and caches it. */
  #load(namespace: string, key: string, caching: boolean): LoadedHead {
    const found = this.#reader.current(namespace, key);
    if (!found) throw this.#notFound(namespace, key);
    if (!caching) return found;
    const entry: CachedHead = { head: found.head, value: found.value, timestamp: undefined };
    this.#cache.remember(namespace, key, entry, found.size);
    return entry;
  }

  #notFound(namespace: string, key: string): KeyNotFoundError {
    return new KeyNotFoundError(`Key not found: ${fullKey(namespace, key)}`, { namespace, key });
  }

  /** Throws DATABASE_CLOSED once closed, naming the namespace and key asked for when they are names. */
  #ensureOpen(namespace?: unknown, key?: unknown): void {
    if (this.#closed) throw databaseClosed(namespace, key);
  }

  /** Throws DATABASE_CLOSED once the database is closed (for subclasses' methods). */
  protected assertOpen(namespace?: unknown, key?: unknown): void {
    this.#ensureOpen(namespace, key);
  }
}
