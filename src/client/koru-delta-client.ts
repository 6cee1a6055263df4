// The engine's pure modules only (names, time, value encoding; the query parser): the engine's
// index would also load the Engine class and its storage codecs, which a client never runs.
import { InvalidKeyError, fullKey } from '../errors.js';
import { checkKey, checkNamespace } from '../engine/names.js';
import { formatMicros, keyTimeMicros, toMicros } from '../engine/time.js';
import type {
  BatchWrite, ExportRecord, ImportResult, TimeInput, VerifyReport, VersionedValue,
} from '../engine/types.js';
import { encodeValue } from '../engine/value.js';
import { checkSubscriptionFilter } from '../events/filter.js';
import type { ChangeEvent, SubscriptionFilter } from '../events/types.js';
import type { Filter, FilteredHistoryOptions, Query, QueryResult } from '../query/types.js';
import { checkViewName } from '../views/names.js';
import type { ViewDefinition, ViewInfo } from '../views/types.js';
import type { KoruBackend, StatusInfo } from './backend.js';
import { ConnectionError, errorFromResponse } from './errors.js';
import { ndjsonLines, toNdjson } from './ndjson.js';
import { serverUrl } from './server-url.js';
import { watchFeed } from './watch-feed.js';

export interface ClientOptions {
  /** Headers sent with every request (for example `authorization`). */
  headers?: Record<string, string>;
  /** Longest wait for a non-streaming response, in ms. Default 120,000. */
  timeoutMs?: number;
  /** How many times `watch()` reconnects (resuming from the last event) before giving up. Default 10. */
  watchRetries?: number;
  /** The fetch implementation. Default: the global `fetch`. */
  fetch?: typeof fetch;
}

interface RequestSpec {
  body?: string | ReadableStream<Uint8Array>;
  contentType?: string;
  headers?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  /** No timeout (streams, whole-database operations). */
  unbounded?: boolean;
  signal?: AbortSignal;
}

const enc = encodeURIComponent;
const JSON_TYPE = 'application/json';
/** Values are checked and canonicalized as the library does, but the server enforces the size limit. */
const NO_SIZE_LIMIT = Number.POSITIVE_INFINITY;

function timeParam(t: TimeInput | undefined): string | undefined {
  if (t === undefined) return undefined;
  return t instanceof Date ? t.toISOString() : String(t);
}

/**
 * The path of a namespace, after the library's own check of its name: a name the library refuses
 * never reaches a URL, where a reserved one would address another route (`views/x` is a view,
 * `watch` the change feed) and a call could act on the wrong thing.
 */
function nsPath(namespace: string): string {
  checkNamespace(namespace);
  return `/api/v1/${enc(namespace)}`;
}

/** The path of a key, after the library's checks of both names (in its order: namespace first). */
function keyPath(namespace: string, key: string): string {
  const path = nsPath(namespace);
  checkKey(namespace, key);
  // fetch resolves `.` and `..` segments even percent-encoded: the request would reach another route.
  if (key === '.' || key === '..') {
    throw new InvalidKeyError(`Invalid key ${fullKey(namespace, key)}: a key spelled ${key} cannot be sent in a URL (use the embedded API)`, { namespace, key });
  }
  return `${path}/${enc(key)}`;
}

/** The path of a view, after the library's check of its name (`.` and `..` would become path steps). */
function viewPath(name: string): string {
  checkViewName(name);
  return `/api/v1/views/${enc(name)}`;
}

/** A filter as a `?filter=` parameter: an expression as it is, a filter object as its JSON (an expression never starts with `{`). */
function filterText(filter: Filter | string | undefined): string | undefined {
  return filter === undefined || typeof filter === 'string' ? filter : JSON.stringify(filter);
}

/**
 * The query of a watch request, checked as the library's `watch()` checks its filter, and as
 * synchronously: a filter the library refuses fails the call itself, before any request.
 */
function watchQuery(filter: SubscriptionFilter): Record<string, string | undefined> {
  checkSubscriptionFilter(filter);
  const { since } = filter;
  return {
    namespace: filter.namespace,
    key: filter.key,
    changeTypes: filter.changeTypes?.join(','),
    filter: filterText(filter.filter),
    // A number is a seq; a time is resolved here, once, so that a reconnection before the first
    // event asks for the same instant ('now' or '5m ago' again would skip what came meanwhile),
    // and so that a string of digits stays a time, as it is for the library.
    since: since === undefined || since === null ? undefined : typeof since === 'number' ? String(since) : formatMicros(toMicros(since)),
  };
}


/**
 * A KoruDelta server over HTTP, with the same methods and the same errors as the library: a
 * failed call rejects with the `KoruDeltaError` subclass (same code and message) the server's
 * database raised, an `HttpError` for HTTP-level refusals, or a `ConnectionError` when the server
 * cannot be reached.
 *
 * @example
 * const db = new KoruDeltaClient('http://127.0.0.1:8080');
 * await db.put('users', 'alice', { age: 30 });
 * for await (const event of db.watch({ namespace: 'users' })) console.log(event.changeType, event.key);
 */
export class KoruDeltaClient implements KoruBackend {
  /** The server's base URL, without a trailing slash. */
  readonly url: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #watchRetries: number;
  readonly #fetch: typeof fetch;
  readonly #streams = new Set<AbortController>();

  constructor(url: string, options: ClientOptions = {}) {
    this.url = serverUrl(url);
    this.#headers = options.headers ?? {};
    this.#timeoutMs = options.timeoutMs ?? 120_000;
    this.#watchRetries = options.watchRetries ?? 10;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  // ---- transport ----------------------------------------------------------------------------

  /** Sends one request; resolves with the response once its status is a success. */
  async #send(method: string, path: string, spec: RequestSpec = {}): Promise<Response> {
    let target = this.url + path;
    const params = Object.entries(spec.query ?? {}).filter((e): e is [string, string | number] => e[1] !== undefined);
    if (params.length > 0) target += `?${new URLSearchParams(params.map(([k, v]): [string, string] => [k, String(v)]))}`;
    const headers: Record<string, string> = { ...this.#headers, ...spec.headers };
    if (spec.contentType) headers['content-type'] = spec.contentType;
    const signals = [spec.signal, spec.unbounded ? undefined : AbortSignal.timeout(this.#timeoutMs)].filter((s): s is AbortSignal => !!s);
    const init: RequestInit & { duplex?: 'half' } = { method, headers, body: spec.body, signal: signals.length ? AbortSignal.any(signals) : undefined };
    if (spec.body instanceof ReadableStream) init.duplex = 'half';
    let res: Response;
    try {
      res = await this.#fetch(target, init);
    } catch (err) {
      throw this.#failure(err, spec.signal);
    }
    if (!res.ok) throw errorFromResponse(res.status, await res.text().catch(() => ''));
    return res;
  }

  #failure(err: unknown, own?: AbortSignal): unknown {
    if (own?.aborted) return own.reason ?? err;
    const name = (err as Error | undefined)?.name;
    if (name === 'TimeoutError') {
      return new ConnectionError(this.url, err, `no response from ${this.url} within ${this.#timeoutMs / 1000} s`);
    }
    return new ConnectionError(this.url, err);
  }

  async #json<T>(method: string, path: string, spec: RequestSpec = {}): Promise<T> {
    const res = await this.#send(method, path, spec);
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw this.#failure(err, spec.signal);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  #jsonBody(body: unknown): RequestSpec {
    return { body: JSON.stringify(body), contentType: JSON_TYPE };
  }

  // ---- keys -----------------------------------------------------------------------------------

  async put(namespace: string, key: string, value: unknown): Promise<VersionedValue> {
    // The library's own checks, in its order, so invalid input fails with the same error as locally
    // (and a value JSON cannot represent is refused rather than silently turned into null).
    const path = keyPath(namespace, key);
    const canonical = encodeValue(value, namespace, key, NO_SIZE_LIMIT).bytes.toString('utf8');
    return this.#json('PUT', path, { body: `{"value":${canonical}}`, contentType: JSON_TYPE });
  }

  async putBatch(writes: readonly BatchWrite[]): Promise<VersionedValue[]> {
    const body = writes.map((w) => {
      checkNamespace(w.namespace);
      checkKey(w.namespace, w.key);
      return `{"namespace":${JSON.stringify(w.namespace)},"key":${JSON.stringify(w.key)},"value":${encodeValue(w.value, w.namespace, w.key, NO_SIZE_LIMIT).bytes.toString('utf8')}}`;
    });
    const res = await this.#json<{ versions: VersionedValue[] }>('POST', '/api/v1/batch', { body: `{"writes":[${body.join(',')}]}`, contentType: JSON_TYPE });
    return res.versions;
  }

  async get(namespace: string, key: string): Promise<VersionedValue> {
    return this.#json('GET', keyPath(namespace, key));
  }

  async getAt(namespace: string, key: string, at: TimeInput): Promise<VersionedValue> {
    const path = keyPath(namespace, key);
    // Checked here too: a time such as ".." would otherwise leave the URL as a dot segment.
    keyTimeMicros(at, namespace, key);
    return this.#json('GET', `${path}/at/${enc(timeParam(at)!)}`);
  }

  async history(namespace: string, key: string, options: FilteredHistoryOptions = {}): Promise<VersionedValue[]> {
    const query = {
      from: timeParam(options.from), to: timeParam(options.to), latest: options.latest, limit: options.limit,
      filter: filterText(options.filter),
    };
    const res = await this.#json<{ versions: VersionedValue[] }>('GET', `${keyPath(namespace, key)}/history`, { query });
    return res.versions;
  }

  async delete(namespace: string, key: string): Promise<VersionedValue> {
    return this.#json('DELETE', keyPath(namespace, key));
  }

  async listKeys(namespace: string): Promise<string[]> {
    return (await this.#json<{ keys: string[] }>('GET', nsPath(namespace))).keys;
  }

  async listNamespaces(): Promise<string[]> {
    return (await this.#json<{ namespaces: string[] }>('GET', '/api/v1/namespaces')).namespaces;
  }

  /** The server's status: its database's `stats()` and where it lives, with the server's `uptime`. */
  async status(): Promise<StatusInfo & { uptime: number }> {
    return this.#json('GET', '/api/v1/status');
  }

  async verify(): Promise<VerifyReport> {
    return this.#json('GET', '/api/v1/status/verify', { unbounded: true });
  }

  // ---- queries and views -----------------------------------------------------------------------

  async query(namespace: string, query: Query = {}): Promise<QueryResult> {
    return this.#json('POST', `${nsPath(namespace)}/query`, this.#jsonBody(query));
  }

  async createView(definition: ViewDefinition): Promise<ViewInfo> {
    return this.#json('POST', '/api/v1/views', this.#jsonBody(definition));
  }

  async listViews(): Promise<ViewInfo[]> {
    return (await this.#json<{ views: ViewInfo[] }>('GET', '/api/v1/views')).views;
  }

  async refreshView(name: string): Promise<ViewInfo> {
    return this.#json('POST', `${viewPath(name)}/refresh`);
  }

  async queryView(name: string): Promise<QueryResult> {
    return this.#json('GET', viewPath(name));
  }

  async deleteView(name: string): Promise<void> {
    await this.#send('DELETE', viewPath(name));
  }

  // ---- streams ----------------------------------------------------------------------------------

  /**
   * Change events from the server's SSE feed. If the connection drops, it reconnects with the last
   * event id, so no event is missed or repeated; it gives up (rejecting with a `ConnectionError`)
   * after `watchRetries` failed attempts in a row. Ends when the loop stops, `signal` aborts or the
   * client is closed.
   */
  watch(filter: SubscriptionFilter = {}, signal?: AbortSignal): AsyncIterable<ChangeEvent> {
    const query = watchQuery(filter);
    return watchFeed({
      retries: this.#watchRetries,
      signal,
      track: (controller) => {
        this.#streams.add(controller);
        return () => this.#streams.delete(controller);
      },
      open: (lastEventId, s) => this.#send('GET', '/api/v1/watch', {
        query,
        headers: { accept: 'text/event-stream', ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }) },
        unbounded: true,
        signal: s,
      }),
    });
  }

  async *exportVersions(options: { at?: TimeInput } = {}): AsyncGenerator<ExportRecord> {
    const controller = new AbortController();
    this.#streams.add(controller);
    try {
      const res = await this.#send('GET', '/api/v1/export', { query: { at: timeParam(options.at) }, unbounded: true, signal: controller.signal });
      if (!res.body) return;
      try {
        for await (const line of ndjsonLines(res.body)) yield JSON.parse(line) as ExportRecord;
      } catch (err) {
        throw this.#failure(err, controller.signal);
      }
    } finally {
      controller.abort();
      this.#streams.delete(controller);
    }
  }

  async importVersions(records: AsyncIterable<ExportRecord> | Iterable<ExportRecord>): Promise<ImportResult> {
    const chunks = toNdjson(records);
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
      async cancel() {
        await chunks.return(undefined);
      },
    });
    return this.#json('POST', '/api/v1/import', { body, contentType: 'application/x-ndjson', unbounded: true });
  }

  /** Ends open watch and export streams. The client holds no other resources. */
  async close(): Promise<void> {
    for (const c of this.#streams) c.abort();
    this.#streams.clear();
  }
}
