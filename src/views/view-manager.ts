import { InvalidQueryError, StorageFullError, ViewExistsError, ViewNotFoundError } from '../errors.js';
import type { CommittedWrite, Engine } from '../engine/index.js';
import { checkNamespace, formatMicros, toMicros } from '../engine/index.js';
import type { JsonValue } from '../engine/types.js';
import { compileQuery, runQuery, type CompiledQuery } from '../query/index.js';
import type { Query, QueryResult } from '../query/types.js';
import type { WriteTxn } from '../storage/store.js';
import type { ViewDefinition, ViewInfo } from './types.js';
import * as layout from './view-store.js';
import { checkViewName } from './names.js';

interface LiveView {
  view: layout.StoredView;
  matches: (doc: JsonValue) => boolean;
}


function info(view: layout.StoredView, state: layout.ViewState): ViewInfo {
  return {
    name: view.name, namespace: view.namespace, description: view.description, autoRefresh: view.autoRefresh,
    createdAt: formatMicros(view.createdAt), lastRefreshed: formatMicros(state.lastRefreshed), recordCount: state.recordCount,
  };
}

const DEFINITION_KEYS = ['name', 'namespace', 'query', 'autoRefresh', 'description'];
const QUERY_MEMBERS = ['filter', 'sort', 'offset', 'limit', 'project', 'aggregate', 'at'];

/** Unknown members are refused, as in a query: a misspelt `autorefresh` or a `filter` outside `query` is never ignored. */
function checkMembers(d: object): void {
  for (const key of Object.keys(d)) {
    if (DEFINITION_KEYS.includes(key)) continue;
    const name = typeof (d as { name?: unknown }).name === 'string' ? ` ${(d as { name: string }).name}` : '';
    const hint = QUERY_MEMBERS.includes(key)
      ? `; ${key} belongs inside query, e.g. { "query": { "${key}": ... } }`
      : ` (expected one of ${DEFINITION_KEYS.join(', ')})`;
    throw new InvalidQueryError(`Invalid view${name}: unknown member ${JSON.stringify(key)}${hint}`);
  }
}

/** The view's query without its filter and time: what runs over the stored matching rows. */
function pageQuery(query: Query): Query {
  const { filter: _filter, at: _at, ...rest } = query;
  return rest;
}

/**
 * Materialized views. A view stores the documents of its namespace that pass its filter; sort,
 * paging, projection and aggregation run over those rows when it is queried. Auto-refresh views
 * are maintained inside every write transaction (of every process running KoruDelta), one
 * document per write, so they are exact as soon as a write commits and survive restarts.
 */
export class ViewManager {
  readonly #engine: Engine;
  #generation = -1;
  #byNamespace = new Map<string, LiveView[]>();
  #detach: () => void;

  constructor(engine: Engine) {
    this.#engine = engine;
    this.#detach = engine.onTransaction((txn, writes) => this.#maintain(txn, writes));
  }

  close(): void {
    this.#detach();
  }

  async create(definition: ViewDefinition): Promise<ViewInfo> {
    const view = this.#validate(definition);
    const compiled = compileQuery(view.query);
    this.#checkRoom(`Cannot create view ${view.name}`);
    const state = await this.#engine.store.transaction((txn) => {
      if (txn.read('aux', layout.defKey(view.name), () => true)) {
        throw new ViewExistsError(`View already exists: ${view.name}`);
      }
      view.createdAt = this.#now();
      const s = this.#evaluate(txn, view, compiled);
      layout.writeView(txn, view, s);
      layout.bumpGeneration(txn);
      return s;
    });
    return info(view, state);
  }

  async list(): Promise<ViewInfo[]> {
    const store = this.#engine.store;
    return [...layout.allViews(store)].map((v) => info(v, layout.readState(store, v.name)));
  }

  async refresh(name: string): Promise<ViewInfo> {
    const view = this.#get(name);
    const compiled = compileQuery(view.query);
    this.#checkRoom(`Cannot refresh view ${name}`);
    const state = await this.#engine.store.transaction((txn) => {
      if (!layout.readView(txn, name)) throw new ViewNotFoundError(`View not found: ${name}`);
      return this.#evaluate(txn, view, compiled);
    });
    return info(view, state);
  }

  async query(name: string): Promise<QueryResult> {
    const view = this.#get(name);
    return runQuery(layout.readRows(this.#engine.store, name), pageQuery(view.query));
  }

  async info(name: string): Promise<ViewInfo> {
    const view = this.#get(name);
    return info(view, layout.readState(this.#engine.store, name));
  }

  async delete(name: string): Promise<void> {
    this.#checkName(name);
    await this.#engine.store.transaction((txn) => {
      if (!layout.readView(txn, name)) throw new ViewNotFoundError(`View not found: ${name}`);
      layout.deleteView(txn, name);
      layout.bumpGeneration(txn);
    });
  }

  #get(name: string): layout.StoredView {
    this.#checkName(name);
    const view = layout.readView(this.#engine.store, name);
    if (!view) throw new ViewNotFoundError(`View not found: ${name}`);
    return view;
  }

  /** Rewrites a view's rows from its namespace (as of its `at`, if any) inside `txn`. */
  #evaluate(txn: WriteTxn, view: layout.StoredView, compiled: CompiledQuery): layout.ViewState {
    layout.clearRows(txn, view.name);
    const at = view.query.at === undefined ? undefined : toMicros(view.query.at);
    let recordCount = 0;
    for (const doc of this.#engine.documents(view.namespace, at)) {
      if (!compiled.matches(doc.value)) continue;
      layout.writeRow(txn, view.name, { key: doc.key, value: doc.value, versionId: doc.version.versionId, timestamp: formatMicros(doc.version.micros) });
      recordCount++;
    }
    const state = { recordCount, lastRefreshed: this.#now() };
    layout.writeState(txn, view.name, state);
    return state;
  }

  /** Keeps auto-refresh views exact: re-evaluates each written document against each of its views. */
  #maintain(txn: WriteTxn, writes: readonly CommittedWrite[]): void {
    this.#reload(txn);
    if (this.#byNamespace.size === 0) return;
    const touched = new Map<string, layout.ViewState>();
    for (const w of writes) {
      if (!w.isHead) continue;
      for (const live of this.#byNamespace.get(w.namespace) ?? []) {
        const name = live.view.name;
        const state = touched.get(name) ?? layout.readState(txn, name);
        touched.set(name, state);
        const had = layout.hasRow(txn, name, w.key);
        const keep = !w.version.deleted && live.matches(w.value);
        if (keep) layout.writeRow(txn, name, { key: w.key, value: w.value, versionId: w.version.versionId, timestamp: formatMicros(w.version.micros) });
        else if (had) txn.del('aux', layout.rowKey(name, w.key));
        state.recordCount += (keep ? 1 : 0) - (had ? 1 : 0);
        state.lastRefreshed = Math.max(state.lastRefreshed, w.version.micros);
      }
    }
    for (const [name, state] of touched) layout.writeState(txn, name, state);
  }

  /** Recompiles the auto-refresh definitions when any process changed them. */
  #reload(txn: WriteTxn): void {
    const gen = layout.generation(txn);
    if (gen === this.#generation) return;
    this.#generation = gen;
    this.#byNamespace = new Map();
    for (const view of layout.allViews(txn)) {
      if (!view.autoRefresh || view.query.at !== undefined) continue;
      let matches: (doc: JsonValue) => boolean;
      try {
        matches = compileQuery(view.query).matches;
      } catch (err) {
        // One unreadable definition must not stop every write: that view just stops following.
        process.emitWarning(`view ${view.name} cannot be maintained: ${(err as Error).message}`, 'KoruDeltaWarning');
        continue;
      }
      const list = this.#byNamespace.get(view.namespace) ?? [];
      list.push({ view, matches });
      this.#byNamespace.set(view.namespace, list);
    }
  }

  #validate(d: ViewDefinition): layout.StoredView {
    if (!d || typeof d !== 'object') throw new TypeError('createView expects { name, namespace, query?, autoRefresh?, description? }');
    this.#checkName(d.name);
    checkMembers(d);
    checkNamespace(d.namespace);
    if (d.autoRefresh !== undefined && typeof d.autoRefresh !== 'boolean') throw new InvalidQueryError('Invalid view: autoRefresh must be true or false');
    if (d.description !== undefined && d.description !== null && typeof d.description !== 'string') throw new InvalidQueryError('Invalid view: description must be a string');
    const query: Query = compileQuery(d.query ?? {}).query;
    if (d.autoRefresh && query.at !== undefined) {
      throw new InvalidQueryError(`Invalid view ${d.name}: a view as of a fixed time (query.at) cannot auto-refresh`);
    }
    // A view is as of one instant: a relative time ('2s ago', 'now') is resolved once, here, so a
    // refresh recomputes the same snapshot instead of one that moves with the clock.
    if (query.at !== undefined) query.at = formatMicros(toMicros(query.at));
    return { name: d.name, namespace: d.namespace, query, autoRefresh: d.autoRefresh ?? false, description: d.description ?? null, createdAt: 0 };
  }

  /** A view's rows are stored data too: none are written once the store has reached its size limit. */
  #checkRoom(what: string): void {
    if ((this.#engine.store.room?.() ?? Infinity) > 0) return;
    throw new StorageFullError(`${what}: the database has reached its size limit (mapSizeBytes); open it with a larger one`);
  }

  #checkName(name: unknown): asserts name is string {
    checkViewName(name);
  }


  #now(): number {
    return Date.now() * 1000;
  }
}
