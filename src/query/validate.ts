/**
 * Checks a query that arrived as untrusted JSON (library call, HTTP body, view definition) and
 * returns it normalized. Every problem is INVALID_QUERY naming where it is (`limit`, `sort[1].order`,
 * `aggregate.aggregations.total.op`, `filter.and[2].value`), never a silently empty result.
 */
import { checkTimeType } from '../engine/time.js';
import { InvalidQueryError } from '../errors.js';
import { validateFilter } from './filter.js';
import { describe, isPlainObject, MAX_DEPTH } from './json.js';
import { parsePath } from './path.js';
import type { Aggregation, Filter, Query, SortSpec } from './types.js';

/** A validated query: the filter as an object (expressions parsed), defaults filled in. */
export interface NormalizedQuery {
  filter?: Filter;
  sort: SortSpec[];
  offset: number;
  limit?: number;
  project?: string[];
  aggregate?: Aggregation;
  at?: Date | string | number;
}

const QUERY_KEYS: ReadonlyArray<keyof Query> = ['filter', 'sort', 'offset', 'limit', 'project', 'aggregate', 'at'];

function fail(path: string, what: string): never {
  throw new InvalidQueryError(`Invalid query at ${path}: ${what}`, { path });
}

/**
 * Validates a whole query. `undefined` or `null` means `{}`; so does a null member (JSON clients
 * often send null for "not set"). Unknown members are rejected, so a typo is never ignored.
 */
export function validateQuery(input: unknown): NormalizedQuery {
  if (input === undefined || input === null) return { sort: [], offset: 0 };
  if (!isPlainObject(input)) fail('query', `expected a query object, got ${describe(input)}`);
  for (const key of Object.keys(input)) {
    if (!(QUERY_KEYS as readonly string[]).includes(key)) {
      fail(key, `unknown query member (expected one of ${QUERY_KEYS.join(', ')})`);
    }
  }
  const q = input as Record<string, unknown>;
  const out: NormalizedQuery = { sort: q.sort == null ? [] : validateSort(q.sort), offset: 0 };
  if (q.filter != null) out.filter = validateFilter(q.filter, 'filter');
  if (q.offset != null) out.offset = count(q.offset, 'offset');
  if (q.limit != null) out.limit = count(q.limit, 'limit');
  if (q.project != null) out.project = validateProject(q.project);
  if (q.aggregate != null) out.aggregate = validateAggregation(q.aggregate);
  if (q.at != null) out.at = validateAt(q.at);
  return out;
}

function count(value: unknown, path: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  return fail(path, `expected a non-negative integer, got ${describe(value)}`);
}

/** Validates `[{ field, order? }]`; `order` is `asc` (default) or `desc`. */
export function validateSort(input: unknown, where = 'sort'): SortSpec[] {
  if (!Array.isArray(input)) fail(where, `expected an array of {field, order}, got ${describe(input)}`);
  return input.map((spec: unknown, i) => {
    const path = `${where}[${i}]`;
    if (!isPlainObject(spec)) fail(path, `expected {field, order}, got ${describe(spec)}`);
    const extra = Object.keys(spec).find((k) => k !== 'field' && k !== 'order');
    if (extra !== undefined) fail(`${path}.${extra}`, 'unexpected key in a sort spec (expected field, order)');
    const field = parsePath(spec.field, `${path}.field`).source;
    const order = spec.order ?? 'asc';
    if (order !== 'asc' && order !== 'desc') fail(`${path}.order`, `expected "asc" or "desc", got ${describe(order)}`);
    return { field, order };
  });
}

/** Validates a projection: an array of dot paths. */
export function validateProject(input: unknown, where = 'project'): string[] {
  if (!Array.isArray(input)) fail(where, `expected an array of field paths, got ${describe(input)}`);
  return input.map((field: unknown, i) => parsePath(field, `${where}[${i}]`).source);
}

const FIELD_OPS = ['sum', 'avg', 'min', 'max', 'distinct'];
const AGGREGATION_OPS = ['count', ...FIELD_OPS, 'groupBy'];

/** Validates an aggregation, recursively through `groupBy`. */
export function validateAggregation(input: unknown, where = 'aggregate', depth = 0): Aggregation {
  if (depth > MAX_DEPTH) fail(where, `aggregations nested more than ${MAX_DEPTH} levels deep`);
  if (!isPlainObject(input)) fail(where, `expected an aggregation like {op: 'count'}, got ${describe(input)}`);
  const op = input.op;
  if (op === undefined) fail(`${where}.op`, `missing op (one of ${AGGREGATION_OPS.join(', ')})`);
  if (typeof op !== 'string' || !AGGREGATION_OPS.includes(op)) {
    fail(`${where}.op`, `unknown aggregation ${describe(op)} (expected one of ${AGGREGATION_OPS.join(', ')})`);
  }
  const allowed = op === 'groupBy' ? ['op', 'field', 'aggregations'] : ['op', 'field'];
  const extra = Object.keys(input).find((k) => !allowed.includes(k));
  if (extra !== undefined) fail(`${where}.${extra}`, `unexpected key in a ${op} aggregation (expected ${allowed.join(', ')})`);
  if (op === 'count') {
    return input.field === undefined ? { op } : { op, field: parsePath(input.field, `${where}.field`).source };
  }
  if (input.field === undefined) fail(`${where}.field`, `${op} needs a field`);
  const field = parsePath(input.field, `${where}.field`).source;
  if (op !== 'groupBy') return { op: op as 'sum' | 'avg' | 'min' | 'max' | 'distinct', field };
  const inner = input.aggregations;
  if (!isPlainObject(inner)) fail(`${where}.aggregations`, `expected an object of named aggregations, got ${describe(inner)}`);
  const aggregations: Record<string, Aggregation> = {};
  for (const [name, agg] of Object.entries(inner)) {
    const value = validateAggregation(agg, `${where}.aggregations.${name}`, depth + 1);
    Object.defineProperty(aggregations, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return { op, field, aggregations };
}

// The instant itself is resolved by the engine (which owns time parsing); here only its type, refused
// as INVALID_TIME, as every other time input of a wrong type or value is (the docs' rule for times).
function validateAt(at: unknown): Date | string | number {
  checkTimeType(at, 'Invalid time for query.at');
  return at;
}
