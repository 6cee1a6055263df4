/**
 * Streaming aggregations: documents are fed one at a time, so an aggregation always sees every match
 * (never a page) in O(1) memory, except `distinct` and `groupBy`, which keep one entry per value.
 */
import type { JsonValue } from '../engine/types.js';
import { identityKey } from './json.js';
import { compareStrings, compareValues } from './order.js';
import { parsePath, readPath, type Path } from './path.js';
import type { Aggregation, AggregationGroup, AggregationResult } from './types.js';

export interface Accumulator {
  add(doc: JsonValue): void;
  result(): AggregationResult;
}

/** Makes fresh accumulators for one (validated) aggregation; paths are parsed once, here. */
export type AccumulatorFactory = () => Accumulator;

export function compileAggregation(agg: Aggregation, where = 'aggregate'): AccumulatorFactory {
  if (agg.op === 'count') {
    if (agg.field === undefined) return () => new CountAccumulator();
    const path = parsePath(agg.field, `${where}.field`);
    return () => new CountAccumulator(path);
  }
  const path = parsePath(agg.field, `${where}.field`);
  switch (agg.op) {
    case 'sum':
      return () => new SumAccumulator(path, false);
    case 'avg':
      return () => new SumAccumulator(path, true);
    case 'min':
      return () => new ExtremeAccumulator(path, -1);
    case 'max':
      return () => new ExtremeAccumulator(path, 1);
    case 'distinct':
      return () => new DistinctAccumulator(path);
    case 'groupBy': {
      const parts = Object.entries(agg.aggregations).map(
        ([name, inner]) => [name, compileAggregation(inner, `${where}.aggregations.${name}`)] as const,
      );
      return () => new GroupAccumulator(path, parts);
    }
  }
}

/** Runs `agg` over `docs` (a convenience over `compileAggregation`). */
export function aggregate(docs: Iterable<JsonValue>, agg: Aggregation): AggregationResult {
  const acc = compileAggregation(agg)();
  for (const doc of docs) acc.add(doc);
  return acc.result();
}

class CountAccumulator implements Accumulator {
  readonly #path: Path | undefined;
  #count = 0;
  constructor(path?: Path) {
    this.#path = path;
  }
  add(doc: JsonValue): void {
    if (this.#path === undefined || readPath(doc, this.#path) != null) this.#count++;
  }
  result(): number {
    return this.#count;
  }
}

/**
 * Neumaier-compensated sum: the rounding error of each addition is kept in `#carry`, so 0.1 + 0.2
 * gives 0.30000000000000004 like one addition, and a million small terms do not drift.
 */
class SumAccumulator implements Accumulator {
  #sum = 0;
  #carry = 0;
  #count = 0;
  readonly #path: Path;
  readonly #average: boolean;
  constructor(path: Path, average: boolean) {
    this.#path = path;
    this.#average = average;
  }
  add(doc: JsonValue): void {
    const x = readPath(doc, this.#path);
    if (typeof x !== 'number') return;
    const t = this.#sum + x;
    this.#carry += Math.abs(this.#sum) >= Math.abs(x) ? this.#sum - t + x : x - t + this.#sum;
    this.#sum = t;
    this.#count++;
  }
  result(): number | null {
    // Past overflow the carry is NaN (Infinity - Infinity); the infinite sum is the honest answer.
    const total = Number.isFinite(this.#sum) ? this.#sum + this.#carry : this.#sum;
    if (!this.#average) return total;
    return this.#count === 0 ? null : total / this.#count;
  }
}

/** min (`sign` -1) or max (+1): over numbers when any was seen, else over strings, else null. */
class ExtremeAccumulator implements Accumulator {
  #number: number | undefined;
  #string: string | undefined;
  readonly #path: Path;
  readonly #sign: number;
  constructor(path: Path, sign: number) {
    this.#path = path;
    this.#sign = sign;
  }
  add(doc: JsonValue): void {
    const x = readPath(doc, this.#path);
    if (typeof x === 'number') {
      if (this.#number === undefined || Math.sign(x - this.#number) === this.#sign) this.#number = x;
    } else if (typeof x === 'string') {
      if (this.#string === undefined || Math.sign(compareStrings(x, this.#string)) === this.#sign) this.#string = x;
    }
  }
  result(): number | string | null {
    return this.#number ?? this.#string ?? null;
  }
}

/** Present values (null included, missing not), unique by deep equality, in first-seen order. */
class DistinctAccumulator implements Accumulator {
  readonly #seen = new Map<string, JsonValue>();
  readonly #path: Path;
  constructor(path: Path) {
    this.#path = path;
  }
  add(doc: JsonValue): void {
    const x = readPath(doc, this.#path);
    if (x === undefined) return;
    const id = identityKey(x);
    if (!this.#seen.has(id)) this.#seen.set(id, x);
  }
  result(): JsonValue[] {
    return [...this.#seen.values()];
  }
}

interface Group {
  group: JsonValue;
  accumulators: Array<readonly [string, Accumulator]>;
}

/** Groups by deep equality of the value at `path` (missing joins null), ordered like a sort (null last). */
class GroupAccumulator implements Accumulator {
  readonly #groups = new Map<string, Group>();
  readonly #path: Path;
  readonly #parts: ReadonlyArray<readonly [string, AccumulatorFactory]>;
  constructor(path: Path, parts: ReadonlyArray<readonly [string, AccumulatorFactory]>) {
    this.#path = path;
    this.#parts = parts;
  }
  add(doc: JsonValue): void {
    const value = readPath(doc, this.#path) ?? null;
    const id = identityKey(value);
    let group = this.#groups.get(id);
    if (group === undefined) {
      group = { group: value, accumulators: this.#parts.map(([name, make]) => [name, make()] as const) };
      this.#groups.set(id, group);
    }
    for (const [, acc] of group.accumulators) acc.add(doc);
  }
  result(): AggregationGroup[] {
    const groups = [...this.#groups.values()].sort((a, b) => compareValues(a.group, b.group));
    return groups.map(({ group, accumulators }) => {
      const values: Record<string, AggregationResult> = {};
      for (const [name, acc] of accumulators) {
        Object.defineProperty(values, name, { value: acc.result(), enumerable: true, writable: true, configurable: true });
      }
      return { group, values };
    });
  }
}
