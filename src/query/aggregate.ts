/**
 * Streaming aggregations: documents are fed one at a time, so an aggregation always sees every match
 * (never a page) in O(1) memory, except `distinct` and `groupBy`, which keep one entry per value.
 */
import type { JsonValue } from '../engine/types.js';
import { InvalidQueryError } from '../errors.js';
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
      return () => new SumAccumulator(path, agg.field, where, false);
    case 'avg':
      return () => new SumAccumulator(path, agg.field, where, true);
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

/** Neumaier-compensated running sum: the rounding error of each addition is kept in `carry`. */
class CompensatedSum {
  sum = 0;
  carry = 0;
  add(x: number): void {
    const t = this.sum + x;
    this.carry += Math.abs(this.sum) >= Math.abs(x) ? this.sum - t + x : x - t + this.sum;
    this.sum = t;
  }
  /** The total, or a non-finite number once a partial sum overflowed. */
  total(): number {
    return Number.isFinite(this.sum) ? this.sum + this.carry : this.sum;
  }
}

/** 2^-64: a factor that keeps the sum of up to 2^64 finite doubles finite, exactly (a power of two). */
const SCALE = 2 ** -64;

/**
 * sum and avg, compensated: 0.1 + 0.2 gives 0.30000000000000004 like one addition, and a million
 * small terms do not drift. A second sum of the terms scaled down by 2^-64 (exact for all but
 * subnormal results) takes over when a partial sum overflows, so 1e308 + 1e308 - 1e308 is 1e308 and
 * the average of two 1e308 is 1e308. A total beyond the range of a double is refused: JSON has no
 * Infinity, and null would read as "no numbers".
 */
class SumAccumulator implements Accumulator {
  readonly #plain = new CompensatedSum();
  readonly #scaled = new CompensatedSum();
  #count = 0;
  readonly #path: Path;
  readonly #field: string;
  readonly #where: string;
  readonly #average: boolean;
  constructor(path: Path, field: string, where: string, average: boolean) {
    this.#path = path;
    this.#field = field;
    this.#where = where;
    this.#average = average;
  }
  add(doc: JsonValue): void {
    const x = readPath(doc, this.#path);
    if (typeof x !== 'number') return;
    this.#plain.add(x);
    this.#scaled.add(x * SCALE);
    this.#count++;
  }
  result(): number | null {
    if (this.#average && this.#count === 0) return null;
    const plain = this.#plain.total();
    const divisor = this.#average ? this.#count : 1;
    const result = Number.isFinite(plain) ? plain / divisor : (this.#scaled.total() / divisor) / SCALE;
    if (!Number.isFinite(result)) {
      const what = this.#average ? 'average' : 'sum';
      throw new InvalidQueryError(`Invalid query at ${this.#where}: the ${what} of ${this.#field} is beyond the range of a number (about ±1.8e308)`, { path: this.#where });
    }
    return result;
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
