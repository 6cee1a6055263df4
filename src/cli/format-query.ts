import type { JsonValue } from '../engine/types.js';
import type { Aggregation, AggregationGroup, AggregationResult, QueryResult } from '../query/types.js';
import { compact, indent, plural, pretty } from './format.js';
import type { Style } from './style.js';

const LABELS = { sum: 'Sum', avg: 'Average', min: 'Min', max: 'Max', distinct: 'Distinct values' } as const;

/** `Count`, `Sum of amount`, `Average of age`, … */
export function aggregationLabel(a: Aggregation): string {
  if (a.op === 'count') return a.field === undefined ? 'Count' : `Count of ${a.field}`;
  if (a.op === 'groupBy') return `Grouped by ${a.field}`;
  return `${LABELS[a.op]} of ${a.field}`;
}

function scalar(value: AggregationResult | JsonValue): string {
  if (value === null) return 'none';
  if (typeof value === 'string') return readsAsOther(value) ? JSON.stringify(value) : value;
  return compact(value);
}

/** A string printed bare would read as another value or label (`30`, `true`, `none`, ``): it is quoted. */
function readsAsOther(s: string): boolean {
  if (s === '' || s === 'none' || s.trim() !== s) return true;
  try {
    return typeof JSON.parse(s) !== 'string';
  } catch {
    return false;
  }
}

function isGroups(result: AggregationResult): result is AggregationGroup[] {
  return Array.isArray(result) && result.every((g) => g !== null && typeof g === 'object' && 'group' in g && 'values' in g);
}

export function formatAggregation(aggregate: Aggregation | undefined, result: AggregationResult, style: Style): string[] {
  if (aggregate?.op !== 'groupBy' || !isGroups(result)) {
    return [`${aggregate === undefined ? 'Aggregation' : aggregationLabel(aggregate)}: ${scalar(result)}`];
  }
  const lines = [style.bold(`${aggregationLabel(aggregate)}: (${plural(result.length, 'group')})`)];
  for (const g of result) {
    lines.push(`  * ${scalar(g.group)}`);
    for (const [name, value] of Object.entries(g.values)) {
      const sub = aggregate.aggregations[name];
      lines.push(`    ${sub === undefined ? name : aggregationLabel(sub)}: ${scalar(value)}`);
    }
  }
  return lines;
}

export interface QueryOutput {
  title: string;
  /** The query's aggregation, for labels. */
  aggregate?: Aggregation;
  /** Print the records section even when empty (false when only an aggregation was asked for). */
  showRecords: boolean;
}

/** `Query results: (N records)`, each `  * key` with its JSON indented four spaces, then aggregations. */
export function formatQueryResult(result: QueryResult, out: QueryOutput, style: Style): string[] {
  const lines: string[] = [];
  if (out.showRecords || result.records.length > 0) {
    lines.push(style.bold(`${out.title}: (${plural(result.records.length, 'record')})`));
    for (const r of result.records) lines.push(`  * ${style.cyan(r.key)}`, indent(pretty(r.value), 4));
    if (result.totalCount > result.records.length) {
      lines.push(style.dim(`  ${result.records.length} of ${result.totalCount} matching records shown`));
    }
  }
  if (result.aggregation !== undefined) lines.push(...formatAggregation(out.aggregate, result.aggregation, style));
  return lines;
}
