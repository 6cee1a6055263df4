import type { KoruBackend, StatusInfo } from '../client/backend.js';
import { KoruDelta } from '../koru-delta.js';
import type { ExportRecord, HistoryOptions, TimeInput } from '../engine/types.js';
import type { ChangeEvent, SubscriptionFilter } from '../events/types.js';
import type { Query } from '../query/types.js';
import type { ViewDefinition } from '../views/types.js';

/** `KoruBackend` over a database opened in this process: what every command uses without `--url`. */
export class LocalBackend implements KoruBackend {
  readonly #db: KoruDelta;

  private constructor(db: KoruDelta) {
    this.#db = db;
  }

  static async open(path: string): Promise<LocalBackend> {
    return new LocalBackend(await KoruDelta.start({ path }));
  }

  put(namespace: string, key: string, value: unknown) { return this.#db.put(namespace, key, value); }
  get(namespace: string, key: string) { return this.#db.get(namespace, key); }
  getAt(namespace: string, key: string, at: TimeInput) { return this.#db.getAt(namespace, key, at); }
  history(namespace: string, key: string, options?: HistoryOptions) { return this.#db.history(namespace, key, options); }
  delete(namespace: string, key: string) { return this.#db.delete(namespace, key); }
  listKeys(namespace: string) { return this.#db.listKeys(namespace); }
  listNamespaces() { return this.#db.listNamespaces(); }

  async status(): Promise<StatusInfo> {
    const stats = await this.#db.stats();
    return { ...stats, nodeId: this.#db.nodeId, path: this.#db.path, diskSize: await this.#db.diskSize() };
  }

  query(namespace: string, query: Query) { return this.#db.query(namespace, query); }
  createView(definition: ViewDefinition) { return this.#db.createView(definition); }
  listViews() { return this.#db.listViews(); }
  refreshView(name: string) { return this.#db.refreshView(name); }
  queryView(name: string) { return this.#db.queryView(name); }
  async deleteView(name: string): Promise<void> { await this.#db.deleteView(name); }

  watch(filter: SubscriptionFilter, signal?: AbortSignal): AsyncIterable<ChangeEvent> {
    return untilAborted(this.#db.watch(filter), signal);
  }

  exportVersions(options?: { at?: TimeInput }) { return this.#db.exportVersions(options); }
  importVersions(records: AsyncIterable<ExportRecord> | Iterable<ExportRecord>) { return this.#db.importVersions(records); }
  verify() { return this.#db.verify(); }
  close() { return this.#db.close(); }
}

/**
 * Ends an async iteration when `signal` aborts, even while a `next()` is pending (an async
 * generator queues `return()` behind a pending `next()`, so the abort must win a race instead).
 */
async function* untilAborted<T>(source: AsyncIterable<T>, signal?: AbortSignal): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  const aborted = new Promise<IteratorResult<T>>((resolve) => {
    if (signal?.aborted) resolve({ done: true, value: undefined });
    signal?.addEventListener('abort', () => resolve({ done: true, value: undefined }), { once: true });
  });
  try {
    for (;;) {
      const next = await Promise.race([it.next(), aborted]);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    void it.return?.()?.catch(() => undefined);
  }
}
