import sortedBtree from 'sorted-btree';
import {
  type Bytes, type Entry, type Key, type RangeOptions, type Store, type StoreFeatures, type WriteTxn,
  StoreClosedError, UnknownBucketError, halfOpen,
} from './store.js';
import { codec } from './buffer-codec.js';

// sorted-btree is CommonJS with its class on `default`; under NodeNext the import is the module object.
const BTree = (sortedBtree as unknown as { default: typeof sortedBtree.default }).default;

/**
 * Keys are held as latin1 strings (one char per byte): JS string comparison then is unsigned byte
 * order, and much cheaper than comparing Uint8Arrays through a native call.
 */
type Tree = sortedBtree.default<string, Bytes>;
const toKey = (key: Key): string => (typeof key === 'string'
  ? (isAscii(key) ? key : Buffer.from(key, 'utf8').toString('latin1'))
  : codec(key).latin1Slice(0, key.length));

/** An ASCII string is already the latin1 text of its UTF-8 bytes: no encoding round trip. */
function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}
const fromKey = (key: string): Bytes => Buffer.from(key, 'latin1');
/** A copy that owns its memory (Buffer#slice would share it). */
const copy = (bytes: Bytes): Bytes => new Uint8Array(bytes);

function* walk(tree: Tree, options: RangeOptions = {}): Generator<Entry> {
  const bounds = halfOpen(options);
  const low = bounds.low && toKey(bounds.low);
  const high = bounds.high && toKey(bounds.high);
  const limit = options.limit ?? Infinity;
  if (limit <= 0 || (low !== undefined && high !== undefined && low >= high)) return;
  let n = 0;
  if (options.reverse) {
    // entriesReversed starts at the highest key <= its argument; `high` itself is excluded.
    for (const [key, value] of tree.entriesReversed(high, undefined, high !== undefined)) {
      if (low !== undefined && key < low) return;
      yield { key: fromKey(key), value: options.borrow ? value : copy(value) };
      if (++n >= limit) return;
    }
  } else {
    for (const [key, value] of tree.entries(low)) {
      if (high !== undefined && key >= high) return;
      yield { key: fromKey(key), value: options.borrow ? value : copy(value) };
      if (++n >= limit) return;
    }
  }
}

/**
 * In-memory store on copy-on-write B+ trees: a transaction works on O(1) clones of the trees and
 * swaps them in on success, so a throwing transaction leaves nothing behind.
 */
export class MemoryStore implements Store {
  readonly supports: StoreFeatures = { persistent: false, multiProcess: false };
  readonly buckets: readonly string[];
  #trees = new Map<string, Tree>();
  #open = true;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(buckets: readonly string[]) {
    this.buckets = [...buckets];
    for (const b of buckets) this.#trees.set(b, new BTree<string, Bytes>() as Tree);
  }

  get isOpen(): boolean {
    return this.#open;
  }

  #tree(bucket: string, trees = this.#trees): Tree {
    if (!this.#open) throw new StoreClosedError();
    const tree = trees.get(bucket);
    if (!tree) throw new UnknownBucketError(bucket);
    return tree;
  }

  get(bucket: string, key: Key): Bytes | undefined {
    const value = this.#tree(bucket).get(toKey(key));
    return value && copy(value);
  }

  read<T>(bucket: string, key: Key, use: (bytes: Bytes) => T): T | undefined {
    const value = this.#tree(bucket).get(toKey(key));
    return value === undefined ? undefined : use(value);
  }

  range(bucket: string, options?: RangeOptions): Iterable<Entry> {
    return walk(this.#tree(bucket), options);
  }

  transaction<T>(fn: (txn: WriteTxn) => T): Promise<T> {
    const run = this.#queue.then(() => this.#commit(fn));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #commit<T>(fn: (txn: WriteTxn) => T): T {
    if (!this.#open) throw new StoreClosedError();
    const draft = new Map<string, Tree>();
    const current = (bucket: string): Tree => draft.get(bucket) ?? this.#tree(bucket);
    const writable = (bucket: string): Tree => {
      let t = draft.get(bucket);
      if (!t) {
        t = this.#tree(bucket).clone();
        draft.set(bucket, t);
      }
      return t;
    };
    const txn: WriteTxn = {
      get: (bucket, key) => {
        const value = current(bucket).get(toKey(key));
        return value && copy(value);
      },
      read: (bucket, key, use) => {
        const value = current(bucket).get(toKey(key));
        return value === undefined ? undefined : use(value);
      },
      range: (bucket, options) => walk(current(bucket), options),
      put: (bucket, key, value) => void writable(bucket).set(toKey(key), copy(value), true),
      del: (bucket, key) => void writable(bucket).delete(toKey(key)),
    };
    const result = fn(txn);
    for (const [bucket, t] of draft) this.#trees.set(bucket, t);
    return result;
  }

  diskSize(): number {
    return 0;
  }

  async close(): Promise<void> {
    await this.#queue;
    this.#open = false;
  }
}
