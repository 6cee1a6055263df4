import type { Aggregation, Query, SortSpec } from '../query/types.js';
import { parseTime } from './args.js';
import { UsageError } from './errors.js';
import { shellQuote } from './shell-quote.js';

/** The flags of `kdelta query` as commander parses them. */
export interface QueryOptions {
  filter?: string;
  sort?: string[];
  desc?: boolean;
  limit?: number;
  offset?: number;
  project?: string[];
  count?: boolean;
  sum?: string;
  avg?: string;
  min?: string;
  max?: string;
  distinct?: string;
  groupBy?: string;
  at?: string;
}

/**
 * `field`, `field:asc` or `field:desc`; `--desc` flips the fields that name no direction. Text after
 * the last `:` must be a direction, so a misspelt one (`age:dsc`) is refused rather than sorting by
 * a field of that name; a field whose name holds a `:` is written with its direction (`a:b:asc`).
 */
function sortSpec(text: string, desc: boolean): SortSpec {
  const colon = text.lastIndexOf(':');
  if (colon === -1) return { field: text, order: desc ? 'desc' : 'asc' };
  const direction = text.slice(colon + 1);
  const order = direction.toLowerCase();
  if (order !== 'asc' && order !== 'desc') {
    // A misspelt direction is the likelier mistake: suggest the one it starts like.
    const guess = order.startsWith('d') ? 'desc' : order.startsWith('a') ? 'asc' : undefined;
    const meant = guess === undefined ? '' : `Did you mean --sort ${shellQuote(`${text.slice(0, colon)}:${guess}`)}? `;
    throw new UsageError(
      `unknown sort direction ${JSON.stringify(direction)} in ${JSON.stringify(text)} (use asc or desc)`,
      `${meant}A field whose name contains ":" is written with its direction, e.g. --sort ${shellQuote(`${text}:asc`)}`,
    );
  }
  return { field: text.slice(0, colon), order };
}

/** Aggregation flags as named aggregations, in a stable order. */
function aggregations(o: QueryOptions): Array<[string, Aggregation]> {
  const out: Array<[string, Aggregation]> = [];
  if (o.count) out.push(['count', { op: 'count' }]);
  for (const op of ['sum', 'avg', 'min', 'max', 'distinct'] as const) {
    const field = o[op];
    if (field !== undefined) out.push([`${op}(${field})`, { op, field }]);
  }
  return out;
}

/**
 * The one aggregation a query carries: a single flag as is, or with `--group-by` a groupBy holding
 * every flag (a count when none). Several flags without `--group-by` cannot share one query.
 */
export function buildAggregate(o: QueryOptions): Aggregation | undefined {
  const named = aggregations(o);
  if (o.groupBy !== undefined) {
    return { op: 'groupBy', field: o.groupBy, aggregations: Object.fromEntries(named.length > 0 ? named : [['count', { op: 'count' }]]) };
  }
  if (named.length > 1) {
    throw new UsageError(
      'One aggregation per query without --group-by',
      'Run one query per aggregation, or group them, e.g. kdelta query orders --group-by status --count --sum amount',
    );
  }
  return named[0]?.[1];
}

export function buildQuery(o: QueryOptions): Query {
  const query: Query = {};
  if (o.filter !== undefined) query.filter = o.filter;
  if (o.sort !== undefined && o.sort.length > 0) query.sort = o.sort.map((f) => sortSpec(f, o.desc === true));
  else if (o.desc) throw new UsageError('--desc needs --sort <field>');
  if (o.offset !== undefined) query.offset = o.offset;
  if (o.project !== undefined) query.project = o.project;
  if (o.at !== undefined) query.at = parseTime(o.at);
  const aggregate = buildAggregate(o);
  if (aggregate !== undefined) query.aggregate = aggregate;
  // An aggregation alone is about the numbers: records only when a --limit asks for some.
  const limit = o.limit ?? (aggregate === undefined ? undefined : 0);
  if (limit !== undefined) query.limit = limit;
  return query;
}
