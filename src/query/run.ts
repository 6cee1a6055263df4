/**
 * Runs a query over a stream of records in one pass: filter, feed the aggregation with every match,
 * count all matches, and keep only what the page needs (the page itself when unsorted, a bounded heap
 * of `offset + limit` with sort + limit). Records are expected in key order; ties in a sort keep it.
 */
import type { JsonValue } from '../engine/types.js';
import { compileAggregation, type Accumulator, type AccumulatorFactory } from './aggregate.js';
import { compileFilter, type Predicate } from './filter.js';
import { compileProjection, type Projector } from './project.js';
import { createSorter, type SortKeys, type Sorter } from './sort.js';
import { TopK } from './top-k.js';
import type { Query, QueryRecord, QueryResult } from './types.js';
import { validateQuery, type NormalizedQuery } from './validate.js';

/** A query validated and compiled once, reusable across runs (views keep one per definition). */
export class CompiledQuery {
  readonly query: NormalizedQuery;
  readonly matches: Predicate;
  readonly sorter: Sorter | undefined;
  readonly projector: Projector | undefined;
  readonly accumulator: AccumulatorFactory | undefined;

  /** Throws INVALID_QUERY naming the offending member. */
  constructor(input: unknown) {
    this.query = validateQuery(input);
    const { filter, sort, project, aggregate } = this.query;
    this.matches = filter === undefined ? () => true : compileFilter(filter);
    this.sorter = sort.length === 0 ? undefined : createSorter(sort);
    this.projector = project === undefined ? undefined : compileProjection(project);
    this.accumulator = aggregate === undefined ? undefined : compileAggregation(aggregate);
  }
}

/** Validates and compiles a `Query` (or untrusted JSON claiming to be one); a `CompiledQuery` passes through. */
export function compileQuery(query: unknown): CompiledQuery {
  return query instanceof CompiledQuery ? query : new CompiledQuery(query);
}

/** Counters a caller may pass in to observe a run (tests assert memory bounds with `peakHeld`). */
export interface RunStats {
  /** Records read. */
  scanned: number;
  /** Most records held at once for the page (heap or page buffer). */
  peakHeld: number;
}

/** Runs `query` over `records` (in key order). Throws INVALID_QUERY before reading anything. */
export function runQuery(records: Iterable<QueryRecord>, query: Query | CompiledQuery, stats?: RunStats): QueryResult {
  const run = new QueryRun(compileQuery(query), stats);
  for (const record of records) run.push(record);
  return run.finish();
}

/** `runQuery` over an async stream (a store cursor). */
export async function runQueryAsync(
  records: AsyncIterable<QueryRecord> | Iterable<QueryRecord>,
  query: Query | CompiledQuery,
  stats?: RunStats,
): Promise<QueryResult> {
  const run = new QueryRun(compileQuery(query), stats);
  for await (const record of records) run.push(record);
  return run.finish();
}

interface Entry {
  record: QueryRecord;
  keys: SortKeys;
  seq: number;
}

class QueryRun {
  readonly #q: CompiledQuery;
  readonly #stats: RunStats | undefined;
  readonly #accumulator: Accumulator | undefined;
  readonly #end: number;
  #total = 0;
  // Exactly one of these holds the page: unsorted page, bounded heap (sort + limit), or all (sort only).
  readonly #page: QueryRecord[] = [];
  readonly #heap: TopK<Entry> | undefined;
  readonly #all: Entry[] = [];

  constructor(q: CompiledQuery, stats: RunStats | undefined) {
    this.#q = q;
    this.#stats = stats;
    this.#accumulator = q.accumulator?.();
    const { offset, limit } = q.query;
    this.#end = limit === undefined ? Infinity : offset + limit;
    const sorter = q.sorter;
    if (sorter !== undefined && limit !== undefined) {
      this.#heap = new TopK<Entry>(this.#end, (a, b) => sorter.compare(a.keys, b.keys) || a.seq - b.seq);
    }
  }

  push(record: QueryRecord): void {
    if (this.#stats !== undefined) this.#stats.scanned++;
    const doc = record.value;
    if (!this.#q.matches(doc)) return;
    const seq = this.#total++;
    this.#accumulator?.add(doc);
    const sorter = this.#q.sorter;
    if (sorter === undefined) {
      if (seq >= this.#q.query.offset && seq < this.#end) this.#page.push(record);
    } else if (this.#heap !== undefined) {
      this.#heap.offer({ record, keys: sorter.keysOf(doc), seq });
    } else {
      this.#all.push({ record, keys: sorter.keysOf(doc), seq });
    }
    if (this.#stats !== undefined) this.#stats.peakHeld = Math.max(this.#stats.peakHeld, this.#held());
  }

  finish(): QueryResult {
    const { offset } = this.#q.query;
    let page: QueryRecord[];
    if (this.#q.sorter === undefined) {
      page = this.#page;
    } else {
      const sorter = this.#q.sorter;
      const entries = this.#heap?.sorted() ?? this.#all.sort((a, b) => sorter.compare(a.keys, b.keys) || a.seq - b.seq);
      page = entries.slice(offset, this.#end).map((e) => e.record);
    }
    const result: QueryResult = { records: page.map((r) => this.#output(r)), totalCount: this.#total };
    if (this.#accumulator !== undefined) result.aggregation = this.#accumulator.result();
    return result;
  }

  #held(): number {
    return this.#page.length + (this.#heap?.size ?? 0) + this.#all.length;
  }

  // A fresh record of exactly the public shape; the value is shared (the engine hands fresh objects).
  #output(r: QueryRecord): QueryRecord {
    const value: JsonValue = this.#q.projector === undefined ? r.value : this.#q.projector(r.value);
    return { key: r.key, value, versionId: r.versionId, timestamp: r.timestamp };
  }
}
