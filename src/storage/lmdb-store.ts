import { mkdirSync, readdirSync, statSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { open, type Database, type RootDatabase } from 'lmdb';
import {
  type Bytes, type Entry, type Key, type RangeOptions, type Store, type StoreFeatures, type WriteTxn,
  StoreClosedError, StoreDamagedError, StoreFullError, UnknownBucketError, halfOpen, compareBytes,
} from './store.js';
import { dataFileProblem } from './lmdb-header.js';
import { codec, type CodecBuffer } from './buffer-codec.js';

export interface LmdbStoreOptions {
  /** Directory holding the database files; created if missing. */
  path: string;
  buckets: readonly string[];
  /**
   * The size the data file may reach before `room()` is 0 (default 64 GiB). lmdb grows its
   * memory map past any initial size on demand, so this is a limit only through `room()`.
   */
  mapSizeBytes?: number;
}

/** Values are bytes; keys go through `keys` below. */
type BinaryDb = Database<Buffer, Key>;

const NOTHING: readonly Entry[] = Object.freeze([]);

/** The data file's default size limit, and the largest initial map. */
const DEFAULT_LIMIT = 64 * 1024 ** 3;

/** String keys up to this many characters try the copying loop of `keys.writeKey` first. */
const SHORT_KEY = 64;

/**
 * Keys as lmdb's `binary` key encoding takes them, plus strings (`Key`), encoded as UTF-8 straight
 * into lmdb's key buffer instead of into a buffer of their own first.
 */
const keys = {
  writeKey(key: Key, target: CodecBuffer, start: number): number {
    if (typeof key !== 'string') {
      target.set(key, start);
      return start + key.length;
    }
    // Short ASCII keys (nearly all) are copied by a loop: a third of the cost of the native call.
    const n = key.length;
    if (n <= SHORT_KEY && start + n <= target.length) {
      let at = start;
      for (let i = 0; i < n; i++) {
        const c = key.charCodeAt(i);
        if (c > 0x7f) break;
        target[at++] = c;
      }
      if (at === start + n) return at;
    }
    const room = target.length - start;
    const written = target.utf8Write(key, start, room);
    // A full buffer may mean a cut key: refuse it rather than look up a different one.
    if (written === room) {
      const bytes = Buffer.byteLength(key, 'utf8');
      if (bytes > room) throw new RangeError(`key of ${bytes} bytes is too long`);
    }
    return start + written;
  },
  // As lmdb's own binary keys: a copy (the source is lmdb's shared buffer).
  readKey: (source: Buffer, start: number, end: number): Buffer => Uint8Array.prototype.slice.call(source, start, end) as Buffer,
};

/**
 * A decoder that lends lmdb's shared read buffer instead of copying out of it. lmdb skips its own
 * copy for decoders that declare they copy (`decoderCopies`); this one does not, which is what a
 * borrowed range promises its caller.
 */
const lending = { encode: (v: Buffer) => v, decode: (bytes: Buffer, size: number) => bytes.subarray(0, size) };

function scan(db: BinaryDb, options: RangeOptions = {}): Iterable<Entry> {
  const { low, high } = halfOpen(options);
  const limit = options.limit ?? Infinity;
  if (limit <= 0 || (low && high && compareBytes(low, high) >= 0)) return NOTHING;
  // lmdb-js ranges: `start` inclusive and `end` exclusive in the walking direction.
  const range = options.reverse
    ? db.getRange({ start: high, end: low, reverse: true, exclusiveStart: high !== undefined, inclusiveEnd: true, limit: Number.isFinite(limit) ? limit : undefined })
    : db.getRange({ start: low, end: high, limit: Number.isFinite(limit) ? limit : undefined });
  // A one-entry range is a seek (getAt's "newest version at or before"): skip the generator.
  if (limit === 1) {
    for (const { key, value } of range) return [{ key: key as Buffer, value: value as Buffer }];
    return NOTHING;
  }
  return entries(range);
}

function* entries(range: Iterable<{ key: unknown; value: unknown }>): Generator<Entry> {
  // With binary encodings lmdb hands out a fresh copy of each key and value: no second copy needed.
  for (const { key, value } of range) yield { key: key as Buffer, value: value as Buffer };
}

/**
 * The error behind a failed commit. lmdb rejects each write of the batch with "Commit failed" and
 * keeps the real error in a promise (`commitError`) that rejects too: left unhandled, it would end
 * the process, so it is always awaited here.
 */
async function commitFailure(err: unknown): Promise<unknown> {
  const behind = (err as { commitError?: unknown } | null)?.commitError;
  if (!(behind instanceof Promise)) return err;
  return behind.then(() => err, (real: unknown) => real);
}

const LMDB_COMMIT_FAILED = 'Commit failed (see commitError for details)';

/**
 * lmdb rejects a failed batch's internal promises too, and some (the event-turn batch's own) have
 * no handler anywhere: left alone, that unhandled rejection would end the process, although every
 * writer of the batch was told (see `commitFailure`). This listener takes those, and only those.
 * Any listener makes Node take every other unhandled rejection as handled, so when no one else
 * listens, this one does what the process's `--unhandled-rejections` mode would have done.
 */
function absorbLmdbCommitRejections(): void {
  if (absorbing) return;
  absorbing = true;
  const mode = unhandledRejectionsMode();
  process.on('unhandledRejection', (reason) => {
    if (reason instanceof Error && reason.message === LMDB_COMMIT_FAILED) {
      (reason as { commitError?: Promise<unknown> }).commitError?.catch(() => undefined);
      return;
    }
    if (process.listenerCount('unhandledRejection') > 1) return;
    if (mode === 'throw') {
      // As Node would throw it: a reason that is no Error is wrapped in one that says what happened.
      const err = reason instanceof Error ? reason : Object.assign(new Error(
        `This error originated either by throwing inside of an async function without a catch block, or by rejecting a promise which was not handled with .catch(). The promise rejected with the reason "${inspect(reason)}".`,
      ), { code: 'ERR_UNHANDLED_REJECTION' });
      process.nextTick(() => {
        throw err;
      });
    } else if (mode === 'warn-with-error-code') {
      process.emitWarning(`Unhandled promise rejection: ${reason instanceof Error ? reason.stack ?? reason.message : String(reason)}`, 'UnhandledPromiseRejectionWarning');
      process.exitCode = 1;
    }
    // 'warn' warns whether or not anyone listens, 'none' is silent, 'strict' has already thrown.
  });
}
let absorbing = false;

/**
 * The process's `--unhandled-rejections` mode (NODE_OPTIONS, then the command line, which wins);
 * Node's default is 'throw'. Read as Node reads options: `_` for `-` in the name, and NODE_OPTIONS
 * may quote.
 */
function unhandledRejectionsMode(): string {
  let mode = 'throw';
  // NODE_OPTIONS splits at spaces outside double quotes, which then go (`"--flag=a b"`, `--flag="a"`).
  const fromEnv = [...(process.env.NODE_OPTIONS ?? '').matchAll(/(?:[^\s"]+|"[^"]*")+/g)].map((m) => m[0].replace(/"/g, ''));
  for (const flags of [fromEnv, process.execArgv]) {
    for (let i = 0; i < flags.length; i++) {
      const eq = flags[i].indexOf('=');
      const name = (eq < 0 ? flags[i] : flags[i].slice(0, eq)).replace(/_/g, '-');
      if (name !== '--unhandled-rejections') continue;
      const value = eq < 0 ? flags[i + 1] : flags[i].slice(eq + 1);
      if (value !== undefined) mode = value;
    }
  }
  return mode;
}

/** The longest a read snapshot serves a turn that runs on without yielding (see #freshSnapshot). */
const SNAPSHOT_MAX_AGE_MS = 1;

/** Below this much free space, an I/O error on commit is taken as a full disk. */
const NEARLY_FULL_BYTES = 4 * 1024 * 1024;

/** EIO: what LMDB reports for a short write, which is how a full disk shows in a commit. */
function isIoError(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 5 || (err as { code?: unknown } | null)?.code === 'EIO';
}

/** LMDB's "no room" failures, the disk's included. */
function isMapFull(err: unknown): boolean {
  return err instanceof Error && (/MDB_MAP_FULL|MDB_TXN_FULL|No space left on device/.test(err.message) || (err as { code?: unknown }).code === 'ENOSPC');
}

/**
 * LMDB through `lmdb`: ACID, copy-on-write, crash-safe without a log, shared safely by several
 * processes (LMDB's writer lock serializes their transactions). Transactions are group-committed by
 * lmdb's batching; each resolves only after its commit has been flushed to disk.
 */
export class LmdbStore implements Store {
  readonly supports: StoreFeatures = { persistent: true, multiProcess: true };
  readonly buckets: readonly string[];
  readonly path: string;
  readonly limitBytes: number;
  readonly #dataFile: string;
  #env: RootDatabase;
  #dbs = new Map<string, BinaryDb>();
  /** The same buckets opened with the lending decoder, for borrowed ranges (opened on first use). */
  #lenders = new Map<string, BinaryDb>();
  /** 'closing' still serves reads and in-flight transactions, but takes no new transactions. */
  #state: 'open' | 'closing' | 'closed' = 'open';
  #closing?: Promise<void>;
  #inflight = new Set<Promise<unknown>>();
  #turnRenewed = false;
  /** When the snapshot was last renewed, and the reads since (see #freshSnapshot). */
  #renewedAt = 0;
  #readsThisSnapshot = 0;
  #generation = 0;

  constructor(options: LmdbStoreOptions) {
    this.path = options.path;
    this.buckets = [...options.buckets];
    this.limitBytes = options.mapSizeBytes ?? DEFAULT_LIMIT;
    this.#dataFile = join(options.path, 'data.mdb');
    mkdirSync(options.path, { recursive: true });
    const problem = dataFileProblem(options.path);
    if (problem !== undefined) throw new StoreDamagedError(options.path, problem);
    absorbLmdbCommitRejections();
    // `noReadAhead` (MDB_NORDAHEAD) is a real lmdb option its typings omit.
    this.#env = open({
      path: options.path,
      // lmdb guesses "file, not directory" from a dot in the name (`data.db`); ours is always a directory.
      noSubdir: false,
      // Reading ahead would pull neighbouring pages into memory that random access never uses.
      noReadAhead: true,
      // Classic LMDB commits: synced inside the writer lock, so a commit is durable before any other
      // process's transaction starts from it. lmdb's overlapping sync (durable later, outside the
      // lock) is faster but its meta-page dance is a per-process protocol; several processes share
      // our databases.
      overlappingSync: false,
      maxDbs: Math.max(8, options.buckets.length + 2),
      // Only where the map starts: lmdb grows it on demand, and a huge one would fail to map.
      mapSize: Math.min(this.limitBytes, DEFAULT_LIMIT),
      encoding: 'binary',
      keyEncoding: 'binary',
    } as Parameters<typeof open>[0] & { path: string });
    for (const name of options.buckets) {
      // `keyEncoder` is a documented lmdb option its typings omit.
      this.#dbs.set(name, this.#env.openDB({ name, encoding: 'binary', keyEncoder: keys } as { name: string }) as unknown as BinaryDb);
    }
  }

  get isOpen(): boolean {
    return this.#state === 'open';
  }

  #db(bucket: string): BinaryDb {
    if (this.#state === 'closed') throw new StoreClosedError();
    const db = this.#dbs.get(bucket);
    if (!db) throw new UnknownBucketError(bucket);
    return db;
  }

  /**
   * Reads see every commit made before the current event-loop turn began, by any process. lmdb
   * keeps a read snapshot until a 0 ms timer fires (at least 1 ms), during which a busy process can
   * run many turns and miss another process's acknowledged commit; so the snapshot is renewed on the
   * first read of each turn (an lmdb txn reset and renew, a few µs, once per turn). A turn that
   * never ends (a loop of awaited reads runs on microtasks alone) renews it once it is a millisecond
   * old, looking at the clock every 8 reads: on every read, the clock cost a cold read a few
   * percent; a loop that works between its reads sees others' commits within 8 of them.
   */
  #freshSnapshot(): void {
    if (this.#turnRenewed) {
      if ((++this.#readsThisSnapshot & 7) !== 0 || performance.now() - this.#renewedAt < SNAPSHOT_MAX_AGE_MS) return;
    } else {
      this.#turnRenewed = true;
      setImmediate(this.#endTurn);
    }
    if (this.#state === 'closed') return;
    this.#renewedAt = performance.now();
    this.#readsThisSnapshot = 0;
    this.#generation++;
    this.#env.resetReadTxn();
  }

  readonly #endTurn = (): void => {
    this.#turnRenewed = false;
  };

  snapshotGeneration(): number {
    this.#freshSnapshot();
    return this.#generation;
  }

  get(bucket: string, key: Key): Bytes | undefined {
    this.#freshSnapshot();
    // lmdb may hand back a buffer it reuses; the contract promises the caller its own copy.
    const value = this.#db(bucket).getBinary(key);
    return value === undefined ? undefined : new Uint8Array(value);
  }

  read<T>(bucket: string, key: Key, use: (bytes: Bytes) => T): T | undefined {
    this.#freshSnapshot();
    // getBinaryFast returns a buffer lmdb reuses on its next read, hence the callback scope.
    const value = this.#db(bucket).getBinaryFast(key);
    // Its `length` is set to the value's size while the underlying array may be longer: view exactly that.
    return value === undefined ? undefined : use(value.subarray(0, value.length));
  }

  range(bucket: string, options?: RangeOptions): Iterable<Entry> {
    this.#freshSnapshot();
    return scan(options?.borrow ? this.#lender(bucket) : this.#db(bucket), options);
  }

  #lender(bucket: string): BinaryDb {
    this.#db(bucket);
    let db = this.#lenders.get(bucket);
    if (!db) {
      // lmdb's typings do not describe a custom `encoder`; the option itself is documented.
      const options = { name: bucket, keyEncoder: keys, encoder: lending } as unknown as { name: string };
      db = this.#env.openDB(options) as unknown as BinaryDb;
      (db as unknown as { decoderCopies: boolean }).decoderCopies = true;
      this.#lenders.set(bucket, db);
    }
    return db;
  }

  async transaction<T>(fn: (txn: WriteTxn) => T): Promise<T> {
    if (this.#state !== 'open') throw new StoreClosedError();
    const run = this.#commit(fn);
    this.#inflight.add(run);
    try {
      return await run;
    } finally {
      this.#inflight.delete(run);
    }
  }

  async #commit<T>(fn: (txn: WriteTxn) => T): Promise<T> {
    const txn: WriteTxn = {
      get: (bucket, key) => this.get(bucket, key),
      read: (bucket, key, use) => this.read(bucket, key, use),
      range: (bucket, options) => Array.from(scan(this.#db(bucket), options)),
      put: (bucket, key, value) => void this.#db(bucket).putSync(key, codec(value)),
      del: (bucket, key) => void this.#db(bucket).removeSync(key),
    };
    let result: T;
    try {
      // A child transaction can be aborted on its own, so a throwing `fn` leaves nothing behind
      // while other callers' work in the same group commit still lands.
      // It resolves once its batch is committed, and with overlapping sync off lmdb's commit is
      // synced before it reports success, so this is already durable. (`env.flushed` would not be
      // right here anyway: it follows the newest batch, which may be a later group's.)
      result = (await this.#env.childTransaction(() => fn(txn))) as T;
    } catch (err) {
      const cause = await commitFailure(err);
      if (isMapFull(cause)) throw new StoreFullError(cause, !/MDB_MAP_FULL|MDB_TXN_FULL/.test(String((cause as Error).message)));
      if (isIoError(cause) && this.#diskNearlyFull()) throw new StoreFullError(cause, true);
      throw cause;
    }
    return result;
  }

  /** Whether the file system holding the database has (about) no room left. */
  #diskNearlyFull(): boolean {
    try {
      const fs = statfsSync(this.path);
      return fs.bavail * fs.bsize < NEARLY_FULL_BYTES;
    } catch {
      return false;
    }
  }

  /** Bytes the data file may still grow by before `limitBytes` (one stat call: writers ask once per transaction). */
  room(): number {
    try {
      return Math.max(0, this.limitBytes - statSync(this.#dataFile).size);
    } catch {
      return this.limitBytes;
    }
  }

  diskSize(): number {
    let total = 0;
    for (const name of readdirSync(this.path)) total += statSync(join(this.path, name)).blocks * 512;
    return total;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#state = 'closing';
      await Promise.allSettled([...this.#inflight]);
      // A failed commit (its writers were told) leaves this promise rejected: nothing is left to flush.
      await Promise.resolve(this.#env.flushed).catch(() => undefined);
      this.#state = 'closed';
      await this.#env.close();
    })();
    return this.#closing;
  }
}
