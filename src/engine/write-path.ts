import { KeyNotFoundError, StorageFullError, fullKey } from '../errors.js';
import { StoreFullError, type Store, type WriteTxn } from '../storage/store.js';
import type { HybridClock } from './clock.js';
import { blobKey } from './blobs.js';
import { headKey, u64, versionKey } from './keys.js';
import { absentParents, recordAbsentParents } from './lineage.js';
import { CounterDeltas, META, readNumber } from './meta.js';
import { decodeRecord, encodeRecord, type StoredVersion } from './record.js';
import { NULL_HASH, type EncodedValue } from './value.js';
import { versionIdOf } from './version-id.js';
import type { JsonValue } from './types.js';

/** Values up to this size are also kept inside the head record, so reading a current value is one lookup. */
export const INLINE_MAX_BYTES = 2048;

/** What a delete stores: the JSON `null`, like every tombstone. */
const TOMBSTONE: Pick<EncodedValue, 'bytes' | 'contentHash'> = { bytes: Buffer.from('null'), contentHash: NULL_HASH };

/** One write as the write path takes it; all writes (put, delete, batch, import) are these. */
export type WriteOp =
  | { kind: 'put'; namespace: string; key: string; encoded: EncodedValue; value: JsonValue }
  | { kind: 'delete'; namespace: string; key: string }
  | { kind: 'import'; namespace: string; key: string; encoded: EncodedValue; value: JsonValue; version: Omit<StoredVersion, 'seq'> };

/** What a committed write produced, handed to commit listeners and back to the caller. */
export interface CommittedWrite {
  namespace: string;
  key: string;
  version: StoredVersion;
  /** The committed value (engine-owned: copy before handing out). */
  value: JsonValue;
  /** The head this write superseded, if any (a tombstone counts). */
  previous: StoredVersion | null;
  /** False when an import found the version already present: nothing was written. */
  applied: boolean;
  /** Whether this write became the key's head (imports of older versions do not). */
  isHead: boolean;
  /** Size of the value's canonical JSON in bytes. */
  bytes: number;
}

/**
 * Runs inside the write transaction after a group's writes are applied, so layers above can keep
 * derived state (materialized views) atomically with the writes. A throw aborts the whole group.
 */
export type TransactionHook = (txn: WriteTxn, writes: readonly CommittedWrite[]) => void;

/** What a group's writes advance as they apply, written back once at the end. */
interface BatchState {
  seq: number;
  clock: number;
  versions: number;
  /** Versions keys written, in seq order: the group's one change-log entry. */
  changed: Buffer[];
  /** Some version written was imported (with its own, possibly older, timestamp). */
  imported?: boolean;
}

interface Unit {
  ops: WriteOp[];
  resolve(results: CommittedWrite[]): void;
  reject(err: unknown): void;
  /** Set inside the transaction: the unit's writes, or why it was refused. */
  outcome?: CommittedWrite[] | Error;
}


/**
 * The single write path. Writes queue up and commit together in one store transaction (group
 * commit): the parent of each write is read inside the transaction, so chains stay linear however
 * many writes are in flight, in this process or in others.
 *
 * A group is formed when its transaction starts, not when it is requested: the store may start it
 * only after the previous group's durable commit (one writer at a time, across processes), and
 * every write that arrived meanwhile joins it. As soon as a group has started, the next
 * transaction is requested, so it begins the moment the current commit is durable instead of a
 * round trip later; a server's requests, arriving one per event-loop turn, keep the commits back to
 * back. A group of one per request would pay a transaction and a durable flush each.
 */
export class WritePath {
  readonly #store: Store;
  readonly #clock: HybridClock;
  readonly #nodeId: string;
  readonly #afterCommit: (writes: CommittedWrite[]) => void;
  readonly hooks = new Set<TransactionHook>();
  #pending: Unit[] = [];
  #scheduled = false;
  /** A transaction has been requested and has not started yet; it will take every pending write. */
  #requested = false;
  #tail: Promise<void> = Promise.resolve();

  constructor(store: Store, clock: HybridClock, nodeId: string, afterCommit: (writes: CommittedWrite[]) => void) {
    this.#store = store;
    this.#clock = clock;
    this.#nodeId = nodeId;
    this.#afterCommit = afterCommit;
  }

  /**
   * Commits `ops` atomically (all or none) and resolves once durable, with `finish` of the
   * committed writes when given (one promise per write: the path is hot).
   */
  submit(ops: WriteOp[]): Promise<CommittedWrite[]>;
  submit<T>(ops: WriteOp[], finish: (done: CommittedWrite[]) => T): Promise<T>;
  submit<T>(ops: WriteOp[], finish?: (done: CommittedWrite[]) => T): Promise<T | CommittedWrite[]> {
    if (!Array.isArray(ops) || ops.length === 0) return Promise.reject(new TypeError('A commit takes a non-empty array of writes'));
    return new Promise((resolve, reject) => {
      const settle = finish
        ? (done: CommittedWrite[]) => {
          try {
            resolve(finish(done));
          } catch (err) {
            reject(err);
          }
        }
        : resolve;
      this.#pending.push({ ops, resolve: settle, reject: (err) => reject(publicError(err, ops[0])) });
      this.#schedule();
    });
  }

  /** Resolves when every write submitted so far has settled. */
  async drain(): Promise<void> {
    while (this.#pending.length > 0 || this.#scheduled || this.#requested) await new Promise((r) => setImmediate(r));
    await this.#tail;
  }

  #schedule(): void {
    if (this.#scheduled || this.#requested || this.#pending.length === 0) return;
    this.#scheduled = true;
    queueMicrotask(() => this.#request());
  }

  #request(): void {
    this.#scheduled = false;
    if (this.#requested) return;
    this.#requested = true;
    let units: Unit[] | undefined;
    let applied: CommittedWrite[] = [];
    const committed = this.#store.transaction((txn) => {
      units = this.#take();
      applied = this.#apply(txn, units);
    });
    // Completion is chained so listeners see batches in commit order, each before its writers
    // resume. The chain must never stay rejected: every later group would wait on it for ever.
    this.#tail = this.#tail.then(async () => {
      try {
        await committed;
      } catch (err) {
        // A store that refused before starting the transaction (closed, say) never took the writes.
        for (const u of units ?? this.#take()) u.reject(err);
        return;
      }
      if (applied.length > 0) {
        try {
          this.#afterCommit(applied);
        } catch (err) {
          // The writes are durable, so their writers hear of success; the failure is reported apart.
          process.emitWarning(`KoruDelta: handling a commit failed: ${(err as Error)?.message ?? err}`);
        }
      }
      for (const u of units ?? []) {
        const o = u.outcome;
        if (o instanceof Error) u.reject(o);
        else u.resolve(o ?? []);
      }
    }).catch((err: unknown) => {
      process.emitWarning(`KoruDelta: completing a commit failed: ${(err as Error)?.message ?? err}`);
    });
  }

  /** Takes the pending writes as the starting group; later writes request the next transaction. */
  #take(): Unit[] {
    const units = this.#pending;
    this.#pending = [];
    this.#requested = false;
    return units;
  }

  /** Applies a group's units; returns the writes that changed the store, in order. */
  #apply(txn: WriteTxn, units: Unit[]): CommittedWrite[] {
    // A store with a size limit takes a group's units while their estimated size fits what is
    // left: even a delete adds a version, so a full store takes none.
    let room = this.#store.room?.() ?? Infinity;
    if (room <= 0) {
      for (const unit of units) unit.outcome = storageFull(unit.ops[0]);
      return [];
    }
    const counters = new CounterDeltas();
    const state: BatchState = { seq: readNumber(txn, META.seq), clock: readNumber(txn, META.clock), versions: 0, changed: [] };
    const firstSeq = state.seq + 1;
    this.#clock.observe(state.clock);
    const applied: CommittedWrite[] = [];
    for (const unit of units) {
      // A unit is checked completely before it writes anything, so a refused unit leaves no trace.
      const refusal = this.#check(txn, unit.ops);
      if (refusal) {
        unit.outcome = refusal;
        continue;
      }
      if (room !== Infinity) {
        const cost = storedBytes(unit.ops);
        if (cost > room) {
          unit.outcome = storageFull(unit.ops[0]);
          continue;
        }
        room -= cost;
      }
      const done = new Array<CommittedWrite>(unit.ops.length);
      for (let i = 0; i < done.length; i++) {
        const w = this.#applyOne(txn, unit.ops[i], state, counters);
        done[i] = w;
        if (w.applied) applied.push(w);
      }
      unit.outcome = done;
    }
    if (applied.length > 0) for (const hook of this.hooks) hook(txn, applied);
    // One change-log entry per commit rather than per version: a write costs two puts, not three.
    if (state.changed.length > 0) txn.put('changes', u64(firstSeq), state.changed.length === 1 ? state.changed[0] : Buffer.concat(state.changed));
    counters.add(META.versions, state.versions);
    counters.flush(txn);
    txn.put('meta', META.seq, u64(state.seq));
    txn.put('meta', META.clock, u64(state.clock));
    if (state.imported) txn.put('meta', META.imported, u64(1));
    return applied;
  }

  #check(txn: WriteTxn, ops: WriteOp[]): Error | undefined {
    for (const op of ops) {
      if (op.kind !== 'delete') continue;
      const live = txn.read('heads', headKey(op.namespace, op.key), (bytes) => !decodeRecord(bytes).version.deleted);
      if (!live) {
        return new KeyNotFoundError(`Key not found: ${fullKey(op.namespace, op.key)}`, { namespace: op.namespace, key: op.key });
      }
    }
    return undefined;
  }

  #applyOne(txn: WriteTxn, op: WriteOp, state: BatchState, counters: CounterDeltas): CommittedWrite {
    const { namespace, key } = op;
    const hk = headKey(namespace, key);
    const previous = txn.read('heads', hk, versionOf) ?? null;
    const encoded = op.kind === 'delete' ? TOMBSTONE : op.encoded;
    const value = op.kind === 'delete' ? null : op.value;
    let version: StoredVersion;
    if (op.kind === 'import') {
      const base = op.version;
      const vk = versionKey(namespace, key, base.micros, base.versionId);
      if (txn.read('versions', vk, present)) return { namespace, key, version: { ...base, seq: 0 }, value, previous, applied: false, isHead: false, bytes: encoded.bytes.length };
      const absent = absentParents(txn, namespace, key, base);
      if (absent.length > 0) recordAbsentParents(txn, base.versionId, absent);
      this.#clock.observe(base.micros);
      state.clock = Math.max(state.clock, base.micros);
      state.imported = true;
      version = {
        versionId: base.versionId, micros: base.micros, parents: base.parents, contentHash: base.contentHash,
        deleted: base.deleted, origin: base.origin, seq: ++state.seq,
      };
    } else {
      const micros = this.#clock.next(state.clock, previous === null ? 0 : previous.micros);
      state.clock = micros;
      const deleted = op.kind === 'delete';
      const parents = previous ? [previous.versionId] : [];
      const versionId = versionIdOf(this.#nodeId, namespace, key, micros, encoded.contentHash, deleted, parents);
      version = { versionId, micros, parents, contentHash: encoded.contentHash, deleted, origin: this.#nodeId, seq: ++state.seq };
    }
    const vk = versionKey(namespace, key, version.micros, version.versionId);
    // Small values live inside the record, so the head and the version record are the same bytes
    // and reading any version is one lookup. Large values are stored once under their hash.
    const inline = encoded.bytes.length <= INLINE_MAX_BYTES ? encoded.bytes : undefined;
    if (!inline) {
      const bk = blobKey(version.contentHash);
      if (!txn.read('blobs', bk, present)) txn.put('blobs', bk, encoded.bytes);
    }
    const record = encodeRecord(version, inline);
    txn.put('versions', vk, record);
    state.changed.push(vk);
    state.versions++;
    const isHead = previous === null || version.micros > previous.micros ||
      (version.micros === previous.micros && version.origin > previous.origin);
    if (isHead) {
      txn.put('heads', hk, record);
      const delta = (version.deleted ? 0 : 1) - (previous !== null && !previous.deleted ? 1 : 0);
      if (delta !== 0) {
        counters.add(META.keys, delta);
        counters.add(META.nsPrefix + namespace, delta);
      }
    }
    return { namespace, key, version, value, previous, applied: true, isHead, bytes: encoded.bytes.length };
  }
}

const versionOf = (bytes: Uint8Array): StoredVersion => decodeRecord(bytes).version;
const present = (): boolean => true;

/**
 * About what `ops` add to the store: a small value is written twice (version record and head), a
 * large one once, plus keys and record fields. An estimate: pages are shared and reused.
 */
function storedBytes(ops: readonly WriteOp[]): number {
  let total = 0;
  for (const op of ops) {
    const value = op.kind === 'delete' ? 4 : op.encoded.bytes.length;
    total += (value <= INLINE_MAX_BYTES ? 2 * value : value) + 2 * (op.namespace.length + op.key.length) + 256;
  }
  return total;
}

/** The store's own failures as the engine reports them, naming the (first) write refused. */
function publicError(err: unknown, op?: WriteOp): unknown {
  return err instanceof StoreFullError ? storageFull(op, err) : err;
}

function storageFull(op?: WriteOp, cause?: unknown): StorageFullError {
  const what = op === undefined ? 'Cannot write' : `Cannot write ${fullKey(op.namespace, op.key)}`;
  const why = cause instanceof StoreFullError && cause.disk
    ? 'the disk holding the database is full; free some space (reads go on)'
    : 'the database has reached its size limit (mapSizeBytes); open it with a larger one';
  return new StorageFullError(`${what}: ${why}`, {
    cause, namespace: op?.namespace, key: op?.key,
  });
}
