/**
 * storage/ — ordered byte-keyed buckets with atomic, durable transactions.
 * It knows nothing of versions, namespaces or JSON, and imports no other layer.
 *
 * Keys and values are raw bytes; keys sort by unsigned byte order (so UTF-8 text sorts by code
 * point). Reads are synchronous (LMDB reads are memory-mapped and faster than a promise turn);
 * writes happen only inside `transaction`, whose promise resolves once the commit is durable.
 */

export type Bytes = Uint8Array;

/**
 * A point key: bytes, or a string standing for its UTF-8 bytes. Strings let a caller whose keys are
 * text skip building a buffer per lookup (the store encodes them straight into its own key buffer).
 */
export type Key = Bytes | string;

export interface Entry {
  key: Bytes;
  value: Bytes;
}

/** A half-open or closed key range. Bounds may be combined; omitted bounds are open. */
export interface RangeOptions {
  gte?: Bytes;
  gt?: Bytes;
  lte?: Bytes;
  lt?: Bytes;
  /** Walk from the high end down. */
  reverse?: boolean;
  /** Stop after this many entries. */
  limit?: number;
  /**
   * Lend each value instead of copying it (keys are still copies): the bytes are valid only until
   * the iteration advances or anything else reads the store, and must not be written to. For
   * scans that decode each value on the spot; it saves a copy per entry.
   */
  borrow?: boolean;
}

/** What an implementation can do beyond the common contract; the conformance suite skips the rest. */
export interface StoreFeatures {
  /** Data survives close and reopen at the same location. */
  persistent: boolean;
  /** Several processes may open the same location at once. */
  multiProcess: boolean;
}

export interface StoreReader {
  /** The stored bytes, or undefined. The returned array is the caller's own copy. */
  get(bucket: string, key: Key): Bytes | undefined;
  /**
   * Calls `use` with the stored bytes without copying them, and returns its result (undefined when
   * the key is absent). The bytes are valid only during the call and must not be modified: the
   * fast path for reads that decode at once.
   */
  read<T>(bucket: string, key: Key, use: (bytes: Bytes) => T): T | undefined;
  /** Entries in key order (or reverse) within the range; each entry's arrays are the caller's own. */
  range(bucket: string, options?: RangeOptions): Iterable<Entry>;
}

export interface WriteTxn extends StoreReader {
  put(bucket: string, key: Key, value: Bytes): void;
  del(bucket: string, key: Key): void;
}

export interface Store extends StoreReader {
  readonly supports: StoreFeatures;
  /** The buckets this store was opened with. */
  readonly buckets: readonly string[];
  readonly isOpen: boolean;
  /**
   * Runs `fn` inside one write transaction: reads inside it see the latest committed state (of every
   * process) plus the transaction's own writes; its writes commit all together or, if `fn` throws,
   * not at all. Resolves with `fn`'s result once the commit is durable. Transactions are serialized.
   */
  transaction<T>(fn: (txn: WriteTxn) => T): Promise<T>;
  /** Bytes the store occupies on disk (0 in memory). */
  diskSize(): number;
  /**
   * A number that changes whenever reads may see other processes' newer commits (the read
   * snapshot was renewed), renewing it first if it is due. Only stores that other processes
   * write to (`supports.multiProcess`) have one: caches above check it before trusting themselves.
   */
  snapshotGeneration?(): number;
  /**
   * Bytes a store with a size limit may still grow by (0 once it has reached it); absent for
   * stores without one. Writers check it before writing, since the store itself may grow past the
   * limit (LMDB's map grows on demand).
   */
  room?(): number;
  /** Finishes pending commits, then releases the store. Idempotent. */
  close(): Promise<void>;
}

export class StoreClosedError extends Error {
  readonly code = 'STORE_CLOSED';
  constructor() {
    super('the store is closed');
  }
}

export class UnknownBucketError extends Error {
  readonly code = 'UNKNOWN_BUCKET';
  constructor(bucket: string) {
    super(`unknown bucket: ${bucket}`);
  }
}

export class StoreFullError extends Error {
  readonly code = 'STORE_FULL';
  /** `disk`: the file system is out of space, rather than the store at its own size limit. */
  constructor(cause: unknown, readonly disk = false) {
    super(disk ? 'the disk holding the store is full' : 'the store has reached its size limit', { cause });
  }
}

/** The store's files are damaged so that they cannot be opened safely. */
export class StoreDamagedError extends Error {
  readonly code = 'STORE_DAMAGED';
  constructor(readonly path: string, readonly problem: string) {
    super(`the store at ${path} is damaged: ${problem}`);
  }
}

/** The smallest key strictly greater than `key` and every key it prefixes is not this: it is `key‖0x00`. */
export function successor(key: Bytes): Bytes {
  const out = new Uint8Array(key.length + 1);
  out.set(key);
  return out;
}

/** Normalizes any combination of bounds to [low, high) with either end open. */
export function halfOpen(options: RangeOptions): { low?: Bytes; high?: Bytes } {
  const low = options.gt ? successor(options.gt) : options.gte;
  const high = options.lte ? successor(options.lte) : options.lt;
  return { low, high };
}

export function compareBytes(a: Bytes, b: Bytes): number {
  return Buffer.compare(a, b);
}
