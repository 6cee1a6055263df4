// The engine's pure modules only (names, time, value encoding; the query parser): the engine's
// index would also load the Engine class and its storage codecs, which a client never runs.
import { DatabaseClosedError, KeyNotFoundError, ValueTooLargeError, fullKey } from '../errors.js';
import { historyScan } from '../engine/history.js';
import { checkKey, checkNamespace } from '../engine/names.js';
import { keyTimeMicros, toMicros } from '../engine/time.js';
import { importOp } from '../engine/transfer.js';
import type {
  BatchWrite, DatabaseStats, ExportRecord, ImportResult, TimeInput, VerifyReport, VersionedValue,
} from '../engine/types.js';
import { encodeValue } from '../engine/value.js';
import type { ChangeEvent, SubscriptionFilter } from '../events/types.js';
import { compileHistoryFilter } from '../query/filter.js';
import { compileQuery } from '../query/run.js';
import type { FilteredHistoryOptions, Query, QueryResult } from '../query/types.js';
import type { ViewDefinition, ViewInfo } from '../views/types.js';
import type { KoruBackend, StatusInfo } from './backend.js';
import { hasArray, isObject, isVersion, isView, notKoruDelta } from './answers.js';
import { ConnectionError, HttpError, errorFromResponse } from './errors.js';
import { refusalWithoutLine } from './import-refusal.js';
import { ndjsonLines, toNdjson } from './ndjson.js';
import { filterText, keyPath, nsPath, timeParam, viewPath, watchQuery } from './request-paths.js';
import { serverUrl } from './server-url.js';
import { watchFeed } from './watch-feed.js';

export interface ClientOptions {
  /** Headers sent with every request (for example `authorization`). */
  headers?: Record<string, string>;
  /**
   * Longest wait for a response, in ms. Default 120,000. For `watch()` and `exportVersions()` it
   * bounds the wait for the response to start (the stream itself may run for ever); `verify()` and
   * `importVersions()` are not bounded (the server answers once it has read the whole database or
   * upload).
   */
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
  /** No timeout (whole-database operations) or one only until the response starts (streams). */
  timeout?: 'none' | 'head';
  signal?: AbortSignal;
}

const enc = encodeURIComponent;
const JSON_TYPE = 'application/json';
/** Values are checked and canonicalized as the library does, but the server enforces the size limit. */
const NO_SIZE_LIMIT = Number.POSITIVE_INFINITY;

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
  #closed = false;

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
    if (this.#closed) throw new DatabaseClosedError(`The client of ${this.url} is closed`);
    // A stream's timeout covers only the wait for its response: once it starts, it is cleared.
    const head = spec.timeout === 'head' ? new AbortController() : undefined;
    const timer = head ? setTimeout(() => head.abort(new DOMException('timed out', 'TimeoutError')), this.#timeoutMs) : undefined;
    const deadline = spec.timeout === undefined ? AbortSignal.timeout(this.#timeoutMs) : head?.signal;
    const signals = [spec.signal, deadline].filter((s): s is AbortSignal => !!s);
    const init: RequestInit & { duplex?: 'half' } = { method, headers, body: spec.body, signal: signals.length ? AbortSignal.any(signals) : undefined };
    if (spec.body instanceof ReadableStream) init.duplex = 'half';
    let res: Response;
    try {
      res = await this.#fetch(target, init);
    } catch (err) {
      throw this.#failure(err, spec.signal);
    } finally {
      clearTimeout(timer);
    }
    if (!res.ok) throw errorFromResponse(res.status, await res.text().catch(() => ''));
    return res;
  }

  #failure(err: unknown, own?: AbortSignal): unknown {
    if (own?.aborted) return own.reason ?? err;
    if (err instanceof HttpError) return err;
    const name = (err as Error | undefined)?.name;
    if (name === 'TimeoutError') {
      return new ConnectionError(this.url, err, `no response from ${this.url} within ${this.#timeoutMs / 1000} s`);
    }
    return new ConnectionError(this.url, err);
  }

  /**
   * Sends a request whose answer is one JSON document of the shape `expected` accepts. Anything else
   * (a proxy's page, an empty body) is an `HttpError` naming the status, never a result.
   */
  async #json<T>(method: string, path: string, spec: RequestSpec, expected: (body: unknown) => boolean): Promise<T> {
    const res = await this.#send(method, path, spec);
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw this.#failure(err, spec.signal);
    }
    let body: unknown;
    try {
      body = /^application\/json\b/i.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (body === undefined || !expected(body)) throw notKoruDelta(res, text);
    return body as T;
  }

  #jsonBody(body: unknown): RequestSpec {
    return { body: JSON.stringify(body), contentType: JSON_TYPE };
  }

  /** A put whose body the server refused as too large: the library's VALUE_TOO_LARGE, naming the key. */
  async #write<T>(method: string, path: string, body: string, expected: (body: unknown) => boolean, written: { namespace: string; key: string }): Promise<T> {
    try {
      return await this.#json<T>(method, path, { body, contentType: JSON_TYPE }, expected);
    } catch (err) {
      if (!(err instanceof HttpError) || err.code !== 'BODY_TOO_LARGE') throw err;
      const { namespace, key } = written;
      throw new ValueTooLargeError(`Value for ${fullKey(namespace, key)} is too large for the server: the request is ${Buffer.byteLength(body)} bytes; ${err.message}`, { namespace, key, cause: err });
    }
  }

  // ---- keys -----------------------------------------------------------------------------------

  async put(namespace: string, key: string, value: unknown): Promise<VersionedValue> {
    // The library's own checks, in its order, so invalid input fails with the same error as locally
    // (and a value JSON cannot represent is refused rather than silently turned into null).
    const path = keyPath(namespace, key);
    const canonical = encodeValue(value, namespace, key, NO_SIZE_LIMIT).bytes.toString('utf8');
    return this.#write('PUT', path, `{"value":${canonical}}`, isVersion, { namespace, key });
  }

  async putBatch(writes: readonly BatchWrite[]): Promise<VersionedValue[]> {
    const body = writes.map((w) => {
      checkNamespace(w?.namespace);
      checkKey(w.namespace, w.key);
      return `{"namespace":${JSON.stringify(w.namespace)},"key":${JSON.stringify(w.key)},"value":${encodeValue(w.value, w.namespace, w.key, NO_SIZE_LIMIT).bytes.toString('utf8')}}`;
    });
    // A batch over the body limit stays BODY_TOO_LARGE: it is the request that is too large, not
    // necessarily any one value (split the batch).
    const res = await this.#json<{ versions: VersionedValue[] }>('POST', '/api/v1/batch', { body: `{"writes":[${body.join(',')}]}`, contentType: JSON_TYPE }, hasArray('versions'));
    return res.versions;
  }

  async get(namespace: string, key: string): Promise<VersionedValue> {
    return this.#json('GET', keyPath(namespace, key), {}, isVersion);
  }

  /** Whether the key has a live value (false once deleted), as the library's `contains`. */
  async contains(namespace: string, key: string): Promise<boolean> {
    try {
      await this.get(namespace, key);
      return true;
    } catch (err) {
      if (err instanceof KeyNotFoundError) return false;
      throw err;
    }
  }

  async getAt(namespace: string, key: string, at: TimeInput): Promise<VersionedValue> {
    const path = keyPath(namespace, key);
    const micros = keyTimeMicros(at, namespace, key);
    return this.#json('GET', `${path}/at/${enc(timeParam(micros)!)}`, {}, isVersion);
  }

  async history(namespace: string, key: string, options: FilteredHistoryOptions = {}): Promise<VersionedValue[]> {
    // The library's checks, in its order: names, the filter, then the range.
    const { filter, ...range } = options ?? {};
    const path = keyPath(namespace, key);
    if (filter !== undefined) compileHistoryFilter(filter, namespace, key);
    const scan = historyScan(namespace, key, range);
    const query = {
      from: timeParam(scan.fromMicros), to: timeParam(scan.toMicros), latest: scan.latest, limit: scan.limit,
      filter: filterText(filter),
    };
    const res = await this.#json<{ versions: VersionedValue[] }>('GET', `${path}/history`, { query }, hasArray('versions'));
    return res.versions;
  }

  async delete(namespace: string, key: string): Promise<VersionedValue> {
    return this.#json('DELETE', keyPath(namespace, key), {}, isVersion);
  }

  async listKeys(namespace: string): Promise<string[]> {
    return (await this.#json<{ keys: string[] }>('GET', nsPath(namespace), {}, hasArray('keys'))).keys;
  }

  async listNamespaces(): Promise<string[]> {
    return (await this.#json<{ namespaces: string[] }>('GET', '/api/v1/namespaces', {}, hasArray('namespaces'))).namespaces;
  }

  /** The server's status: its database's `stats()` and where it lives, with the server's `uptime`. */
  async status(): Promise<StatusInfo & { uptime: number }> {
    return this.#json('GET', '/api/v1/status', {}, (b) => isObject(b) && typeof b.keyCount === 'number');
  }

  /** The server database's `stats()`, as the library's. */
  async stats(): Promise<DatabaseStats> {
    const { keyCount, totalVersions, namespaceCount, lastSeq, namespaces } = await this.status();
    return { keyCount, totalVersions, namespaceCount, lastSeq, namespaces };
  }

  async verify(): Promise<VerifyReport> {
    return this.#json('GET', '/api/v1/status/verify', { timeout: 'none' }, isObject);
  }

  // ---- queries and views -----------------------------------------------------------------------

  async query(namespace: string, query: Query = {}): Promise<QueryResult> {
    const path = `${nsPath(namespace)}/query`;
    // The library's checks (what JSON would silently change, NaN or a Date, is refused here), and
    // its reading of `at`, sent as the instant it stands for.
    const { at } = compileQuery(query).query;
    const body = at === undefined ? query ?? {} : { ...query, at: timeParam(toMicros(at)) };
    return this.#json('POST', path, this.#jsonBody(body), hasArray('records'));
  }

  async createView(definition: ViewDefinition): Promise<ViewInfo> {
    return this.#json('POST', '/api/v1/views', this.#jsonBody(definition), isView);
  }

  async listViews(): Promise<ViewInfo[]> {
    return (await this.#json<{ views: ViewInfo[] }>('GET', '/api/v1/views', {}, hasArray('views'))).views;
  }

  async refreshView(name: string): Promise<ViewInfo> {
    return this.#json('POST', `${viewPath(name)}/refresh`, {}, isView);
  }

  async queryView(name: string): Promise<QueryResult> {
    return this.#json('GET', viewPath(name), {}, hasArray('records'));
  }

  async deleteView(name: string): Promise<void> {
    const res = await this.#send('DELETE', viewPath(name));
    if (res.status !== 204) throw notKoruDelta(res, await res.text().catch(() => ''));
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
      open: async (lastEventId, s) => {
        const res = await this.#send('GET', '/api/v1/watch', {
          query,
          headers: { accept: 'text/event-stream', ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }) },
          timeout: 'head',
          signal: s,
        });
        // Not a change feed (a proxy's page): reconnecting would only get it again.
        if (!/^text\/event-stream\b/i.test(res.headers.get('content-type') ?? '')) throw notKoruDelta(res, await res.text().catch(() => ''));
        return res;
      },
    });
  }

  async *exportVersions(options: { at?: TimeInput } = {}): AsyncGenerator<ExportRecord> {
    const controller = new AbortController();
    this.#streams.add(controller);
    try {
      const at = options?.at === undefined ? undefined : timeParam(toMicros(options.at));
      const res = await this.#send('GET', '/api/v1/export', { query: { at }, timeout: 'head', signal: controller.signal });
      if (!res.body || !/^application\/x-ndjson\b/i.test(res.headers.get('content-type') ?? '')) throw notKoruDelta(res, await res.text().catch(() => ''));
      let lines: AsyncIterator<string>;
      try {
        lines = ndjsonLines(res.body)[Symbol.asyncIterator]();
        for (let next = await lines.next(); !next.done; next = await lines.next()) {
          let record: unknown;
          try {
            record = JSON.parse(next.value);
          } catch {
            throw new HttpError('HTTP_200', `HTTP 200: not a KoruDelta export line: ${next.value.slice(0, 200)}`, 200);
          }
          yield record as ExportRecord;
        }
      } catch (err) {
        throw this.#failure(err, controller.signal);
      }
    } finally {
      controller.abort();
      this.#streams.delete(controller);
    }
  }

  /**
   * Streams `records` to the server's import. Each record is checked as the library checks it, so a
   * bad one fails with the library's error, and so does a failure of `records` itself (not a
   * connection error); as with the library, the import stops there, keeping what was committed.
   */
  async importVersions(records: AsyncIterable<ExportRecord> | Iterable<ExportRecord>): Promise<ImportResult> {
    let refused: { error: unknown } | undefined;
    const checked = (async function* () {
      for await (const record of records) {
        // The size and the date limits are the server's: only its clock says what is in the future.
        importOp(record, NO_SIZE_LIMIT, Number.POSITIVE_INFINITY);
        yield record;
      }
    })();
    const chunks = toNdjson(checked);
    // The first chunk is read before the request: a source that fails at once sends nothing.
    let head: IteratorResult<string> | undefined = await chunks.next();
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        let next: IteratorResult<string>;
        try {
          next = head ?? await chunks.next();
          head = undefined;
        } catch (error) {
          refused = { error };
          controller.error(error);
          return;
        }
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
      async cancel() {
        await chunks.return(undefined);
      },
    });
    try {
      return await this.#json('POST', '/api/v1/import', { body, contentType: 'application/x-ndjson', timeout: 'none' }, (b) => isObject(b) && typeof b.imported === 'number');
    } catch (err) {
      throw refused ? refused.error : refusalWithoutLine(err);
    }
  }

  /** Ends open watch and export streams; later calls reject with DATABASE_CLOSED, as the library's. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const c of this.#streams) c.abort();
    this.#streams.clear();
  }
}
