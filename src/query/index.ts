/**
 * query/: the query engine of DESIGN F7 and issue 3 — filters (JSON and expression strings), sort,
 * offset/limit, projection and aggregations over a stream of records. Pure and store-independent: it
 * imports only errors, engine types and safe-regex2 (pattern-risk.ts), does no I/O, and the engine,
 * views, HTTP, CLI and client all reuse it.
 */
export type {
  Aggregation,
  AggregationGroup,
  AggregationResult,
  AndFilter,
  CountAggregation,
  FieldAggregation,
  FieldFilter,
  Filter,
  FilterOp,
  GroupByAggregation,
  NotFilter,
  OrFilter,
  Query,
  QueryRecord,
  QueryResult,
  SortSpec,
} from './types.js';
export { parseExpression } from './expression.js';
export { compileFilter, compileHistoryFilter, validateFilter, type Predicate } from './filter.js';
export { FILTER_OPS } from './operand.js';
export { deepEqual } from './json.js';
export { compareStrings, compareValues } from './order.js';
export { parsePath, readPath, type Path } from './path.js';
export { compareSortValues, createSorter, sortDocuments, type SortKeys, type Sorter } from './sort.js';
export { aggregate, compileAggregation, type Accumulator, type AccumulatorFactory } from './aggregate.js';
export { compileProjection, type Projector } from './project.js';
export { validateAggregation, validateProject, validateQuery, validateSort, type NormalizedQuery } from './validate.js';
export { CompiledQuery, compileQuery, runQuery, runQueryAsync, type RunStats } from './run.js';
export { TopK } from './top-k.js';
