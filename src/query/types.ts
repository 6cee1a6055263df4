/**
 * Public shapes of a query (DESIGN F7, issue 3). The same JSON travels through `db.query`, views,
 * HTTP and the CLI, so every type here is plain data.
 */
import type { HistoryOptions, JsonValue } from '../engine/types.js';

/** Operators of a field comparison. */
export type FilterOp = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'contains' | 'exists' | 'matches';

/**
 * One comparison of the value at `field` (a dot path; a numeric segment indexes an array, `items.1.x`).
 *
 * - `eq`: deep JSON equality; `eq null` matches a present null, never a missing field.
 * - `ne`: missing or not deep-equal.
 * - `gt` `gte` `lt` `lte`: same-type only (numbers; strings by code point; booleans false < true).
 * - `in`: `value` is an array; matches when the field deep-equals one element.
 * - `contains`: substring (string field), deep-equal element (array field), own key (object field).
 * - `exists`: present and not null (`value` omitted or `true`).
 * - `matches`: `value` is a JS regular-expression source, `flags` its flags; strings only.
 */
export interface FieldFilter {
  field: string;
  op: FilterOp;
  value?: JsonValue;
  /** Regular-expression flags, `matches` only. */
  flags?: string;
}

/** True when every part matches (`and: []` is true). */
export interface AndFilter {
  and: Filter[];
}

/** True when any part matches (`or: []` is false). */
export interface OrFilter {
  or: Filter[];
}

export interface NotFilter {
  not: Filter;
}

export type Filter = FieldFilter | AndFilter | OrFilter | NotFilter;

/**
 * One sort key. Records missing the field (or holding null) come last in both directions; values of
 * different types order by type: numbers, strings, booleans, arrays, objects (reversed by `desc`).
 */
export interface SortSpec {
  field: string;
  order?: 'asc' | 'desc';
}

/** Counts matching records; with `field`, only those where the field is present and not null. */
export interface CountAggregation {
  op: 'count';
  field?: string;
}

/**
 * `sum`: numbers only, 0 when none. `avg`: sum / count of numeric values, null when none.
 * `min`/`max`: over numbers if any, else over strings (code point order), else null.
 * `distinct`: unique present values (deep equality) in first-seen order.
 */
export interface FieldAggregation {
  op: 'sum' | 'avg' | 'min' | 'max' | 'distinct';
  field: string;
}

/** Groups records by the value at `field` (missing = null) and runs `aggregations` in each group. */
export interface GroupByAggregation {
  op: 'groupBy';
  field: string;
  aggregations: Record<string, Aggregation>;
}

export type Aggregation = CountAggregation | FieldAggregation | GroupByAggregation;

/** One group of a `groupBy` result. */
export interface AggregationGroup {
  group: JsonValue;
  values: Record<string, AggregationResult>;
}

/**
 * The result of an aggregation: a number (count, sum, avg, min, max), a string (min/max over strings),
 * null (avg/min/max over nothing), the distinct values, or the groups of a `groupBy` ordered by group.
 */
export type AggregationResult = number | string | null | JsonValue[] | AggregationGroup[];

/**
 * A query. Everything is optional: `{}` returns every record in key order.
 *
 * @example
 * { filter: 'age >= 18 and status = active', sort: [{ field: 'age', order: 'desc' }], limit: 10 }
 */
export interface Query {
  /** A filter object, or an expression string such as `name = "a>=b" or tags contains x`. */
  filter?: Filter | string;
  sort?: readonly SortSpec[];
  /** Matches skipped before the first returned record (non-negative integer). */
  offset?: number;
  /** Most records returned (non-negative integer). */
  limit?: number;
  /** Dot paths kept in the returned values; sorting and aggregation still see whole documents. */
  project?: readonly string[];
  /** Computed over every match, never just the returned page. */
  aggregate?: Aggregation;
  /** Evaluate against the versions current at this instant (resolved by the engine). */
  at?: Date | string | number;
}

/** One record a query reads and returns. */
export interface QueryRecord {
  key: string;
  value: JsonValue;
  versionId: string;
  timestamp: string;
}

export interface QueryResult {
  records: QueryRecord[];
  /** Every match, before `offset` and `limit`. */
  totalCount: number;
  aggregation?: AggregationResult;
}

/** `history` options, with a query filter over the versions' values. */
export interface FilteredHistoryOptions extends HistoryOptions {
  /** Keeps the live versions whose value matches; `latest` and `limit` then count those. */
  filter?: Filter | string;
}
