import type { StoreReader, WriteTxn } from '../storage/store.js';
import { readU64, u64 } from './keys.js';

/** Engine state kept in the `meta` bucket: counters, the last sequence number and the clock. */
export const META = {
  nodeId: 'nodeId',
  schema: 'schema',
  seq: 'seq',
  clock: 'clock',
  keys: 'count:keys',
  versions: 'count:versions',
  /** `ns:<namespace>` → live keys in that namespace. */
  nsPrefix: 'ns:',
  /** 1 once any version was imported: the change log's timestamps then no longer grow with seq. */
  imported: 'imported',
} as const;

export function readNumber(reader: StoreReader, name: string): number {
  // Meta keys are their names (the store encodes a string key as UTF-8).
  return reader.read('meta', name, readU64) ?? 0;
}

export function writeNumber(txn: WriteTxn, name: string, n: number): void {
  if (n === 0 && name.startsWith(META.nsPrefix)) txn.del('meta', name);
  else txn.put('meta', name, u64(n));
}

/** Accumulates counter changes during a transaction and writes each counter once at the end. */
export class CounterDeltas {
  #deltas = new Map<string, number>();

  add(name: string, delta: number): void {
    if (delta !== 0) this.#deltas.set(name, (this.#deltas.get(name) ?? 0) + delta);
  }

  flush(txn: WriteTxn): void {
    for (const [name, delta] of this.#deltas) writeNumber(txn, name, readNumber(txn, name) + delta);
  }
}
