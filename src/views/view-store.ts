import type { StoreReader, WriteTxn } from '../storage/store.js';
import { prefixEnd, readU64, u64 } from '../engine/keys.js';
import type { JsonValue } from '../engine/types.js';
import type { Query, QueryRecord } from '../query/types.js';

/**
 * Views live in the `aux` bucket:
 *
 *   v 00 <name>              → definition (JSON: namespace, query, autoRefresh, description, createdAt µs)
 *   s 00 <name>              → state (JSON: recordCount, lastRefreshed µs)
 *   r 00 <name> 00 <key>     → one matching document (JSON: [versionId, timestamp, value])
 *   vgen                     → generation, bumped whenever a definition changes, so every process
 *                              holding compiled definitions knows to reload them
 */
export interface StoredView {
  name: string;
  namespace: string;
  query: Query;
  autoRefresh: boolean;
  description: string | null;
  createdAt: number;
}

export interface ViewState {
  recordCount: number;
  lastRefreshed: number;
}

const text = (s: string) => Buffer.from(s, 'utf8');
export const defKey = (name: string) => text(`v\u0000${name}`);
export const stateKey = (name: string) => text(`s\u0000${name}`);
export const rowPrefix = (name: string) => text(`r\u0000${name}\u0000`);
export const rowKey = (name: string, key: string) => text(`r\u0000${name}\u0000${key}`);
const GEN = text('vgen');
const DEF_PREFIX = text('v\u0000');

const json = <T>(bytes: Uint8Array): T => JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
const bytesOf = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8');

export function readView(reader: StoreReader, name: string): StoredView | undefined {
  const b = reader.get('aux', defKey(name));
  return b && json<StoredView>(b);
}

export function readState(reader: StoreReader, name: string): ViewState {
  const b = reader.get('aux', stateKey(name));
  return b ? json<ViewState>(b) : { recordCount: 0, lastRefreshed: 0 };
}

export function* allViews(reader: StoreReader): Generator<StoredView> {
  for (const { value } of reader.range('aux', { gte: DEF_PREFIX, lt: prefixEnd(DEF_PREFIX) })) yield json<StoredView>(value);
}

export function* readRows(reader: StoreReader, name: string): Generator<QueryRecord> {
  const prefix = rowPrefix(name);
  const skip = prefix.length;
  for (const { key, value } of reader.range('aux', { gte: prefix, lt: prefixEnd(prefix) })) {
    const [versionId, timestamp, doc] = json<[string, string, JsonValue]>(value);
    yield { key: Buffer.from(key).toString('utf8', skip), value: doc, versionId, timestamp };
  }
}

export function writeView(txn: WriteTxn, view: StoredView, state: ViewState): void {
  txn.put('aux', defKey(view.name), bytesOf(view));
  txn.put('aux', stateKey(view.name), bytesOf(state));
}

export function writeState(txn: WriteTxn, name: string, state: ViewState): void {
  txn.put('aux', stateKey(name), bytesOf(state));
}

export function writeRow(txn: WriteTxn, name: string, row: QueryRecord): void {
  txn.put('aux', rowKey(name, row.key), bytesOf([row.versionId, row.timestamp, row.value]));
}

export function hasRow(txn: WriteTxn, name: string, key: string): boolean {
  return txn.read('aux', rowKey(name, key), () => true) ?? false;
}

export function clearRows(txn: WriteTxn, name: string): void {
  const prefix = rowPrefix(name);
  for (const { key } of txn.range('aux', { gte: prefix, lt: prefixEnd(prefix) })) txn.del('aux', key);
}

export function deleteView(txn: WriteTxn, name: string): void {
  clearRows(txn, name);
  txn.del('aux', defKey(name));
  txn.del('aux', stateKey(name));
}

export function generation(reader: StoreReader): number {
  const b = reader.get('aux', GEN);
  return b ? readU64(b) : 0;
}

export function bumpGeneration(txn: WriteTxn): void {
  txn.put('aux', GEN, u64(generation(txn) + 1));
}
