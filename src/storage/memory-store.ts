import sortedBtree from 'sorted-btree';
import {
  type Bytes, type Entry, type RangeOptions, type Store, type StoreFeatures, type WriteTxn,
  StoreClosedError, UnknownBucketError, compareBytes, halfOpen,
} from './store.js';

// sorted-btree is CommonJS with its class on `default`; under NodeNext the import is the module object.
const BTree = (sortedBtree as unknown as { default: typeof sortedBtree.default }).default;
/** A copy that owns its memory (Buffer#slice would share it). */
const copy = (bytes: Bytes): Bytes => new Uint8Array(bytes);

type Tree = sortedBtree.default<Bytes, Bytes>;

function* walk(tree: Tree, options: RangeOptions = {}): Generator<Entry> {
  const { low, high } = halfOpen(options);
  const limit = options.limit ?? Infinity;
  if (limit <= 0 || (low && high && compareBytes(low, high) >= 0)) return;
  let n = 0;
  if (options.reverse) {
    // entriesReversed starts at the highest key <= its argument; `high` itself is excluded.
    for (const [key, value] of tree.entriesReversed(high, undefined, high !== undefined)) {
      if (low && compareBytes(key, low) < 0) return;
      yield { key: copy(key), value: copy(value) };
      if (++n >= limit) return;
    }
  } else {
    for (const [key, value] of tree.entries(low)) {
      if (high && compareBytes(key, high) >= 0) return;
      yield { key: copy(key), value: copy(value) };
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
    for (const b of buckets) this.#trees.set(b, new BTree<Bytes, Bytes>(undefined, compareBytes) as Tree);
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

  get(bucket: string, key: Bytes): Bytes | undefined {
    const value = this.#tree(bucket).get(key);
    return value && copy(value);
  }

  read<T>(bucket: string, key: Bytes, use: (bytes: Bytes) => T): T | undefined {
    const value = this.#tree(bucket).get(key);
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
    const tree = (bucket: string): Tree => {
      let t = draft.get(bucket);
      if (!t) {
        t = this.#tree(bucket).clone();
        draft.set(bucket, t);
      }
      return t;
    };
    const txn: WriteTxn = {
      get: (bucket, key) => {
        const value = (draft.get(bucket) ?? this.#tree(bucket)).get(key);
        return value && copy(value);
      },
      read: (bucket, key, use) => {
        const value = (draft.get(bucket) ?? this.#tree(bucket)).get(key);
        return value === undefined ? undefined : use(value);
      },
      range: (bucket, options) => walk(draft.get(bucket) ?? this.#tree(bucket), options),
      put: (bucket, key, value) => void tree(bucket).set(copy(key), copy(value), true),
      del: (bucket, key) => void tree(bucket).delete(key),
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
