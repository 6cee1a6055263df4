/**
 * Multi-key sorting of documents. Sort keys are read from each document once (`keysOf`) so a sort or
 * a heap compares pre-read values instead of walking paths on every comparison.
 */
import type { JsonValue } from '../engine/types.js';
import { compareValues } from './order.js';
import { parsePath, readPath, type Path } from './path.js';
import type { SortSpec } from './types.js';

/** The values of a document's sort fields, in spec order (`undefined` = missing). */
export type SortKeys = ReadonlyArray<JsonValue | undefined>;

export interface Sorter {
  /** Reads the sort fields of `doc`. */
  keysOf(doc: JsonValue): SortKeys;
  /**
   * Orders two documents' keys: spec by spec, missing or null last in both directions, otherwise
   * `compareValues` (reversed by `desc`). 0 on a full tie: callers break ties by arrival (stable).
   */
  compare(a: SortKeys, b: SortKeys): number;
}

/** Compiles sort specs (assumed validated, see `validateSort`) into a `Sorter`. */
export function createSorter(specs: readonly SortSpec[]): Sorter {
  const paths: Path[] = specs.map((s, i) => parsePath(s.field, `sort[${i}].field`));
  const signs = specs.map((s) => (s.order === 'desc' ? -1 : 1));
  return {
    keysOf: (doc) => paths.map((p) => readPath(doc, p)),
    compare(a, b) {
      for (let i = 0; i < signs.length; i++) {
        const c = compareSortValues(a[i], b[i], signs[i]);
        if (c !== 0) return c;
      }
      return 0;
    },
  };
}

/** One sort key's comparison; `sign` -1 reverses present values but keeps missing/null last. */
export function compareSortValues(a: JsonValue | undefined, b: JsonValue | undefined, sign: number): number {
  const aAbsent = a === undefined || a === null;
  const bAbsent = b === undefined || b === null;
  if (aAbsent || bAbsent) return aAbsent === bAbsent ? 0 : aAbsent ? 1 : -1;
  return sign * compareValues(a, b);
}

/** Sorts `items` by the `specs` fields of `docOf(item)`, stable (ties keep input order); returns a new array. */
export function sortDocuments<T>(items: readonly T[], specs: readonly SortSpec[], docOf: (item: T) => JsonValue): T[] {
  const sorter = createSorter(specs);
  const entries = items.map((item, seq) => ({ item, keys: sorter.keysOf(docOf(item)), seq }));
  entries.sort((x, y) => sorter.compare(x.keys, y.keys) || x.seq - y.seq);
  return entries.map((e) => e.item);
}
