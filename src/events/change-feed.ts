import { randomUUID } from 'node:crypto';
import { SubscriptionNotFoundError } from '../errors.js';
import type { CommittedWrite, Engine } from '../engine/index.js';
import { toMicros } from '../engine/index.js';
import { PendingChange } from './change-event.js';
import { checkSeqInLog, compileMatch } from './filter.js';
import { SubscriptionImpl } from './subscription.js';
import type { ChangeEvent, ChangeListener, SubscribeOptions, Subscription, SubscriptionFilter } from './types.js';
const REPLAY_CHUNK = 500;

export interface ChangeFeedOptions {
  /** How often to look for other processes' writes while someone listens. Default 200 ms. */
  pollMs?: number;
  /** Events a `watch()` iterator buffers; one that falls further behind reads on from the change log. Default 10,000. */
  maxBuffered?: number;
}

/**
 * The change feed: every committed change, in seq order, once. Local commits arrive through the
 * engine's commit hook (synchronously, before the writers resume); other processes' commits are
 * found by polling the change log while anyone listens. Subscribers that start in the past replay
 * from the log and then switch to live delivery with no gap and no duplicate.
 */
export class ChangeFeed {
  readonly #engine: Engine;
  readonly #subs = new Map<string, SubscriptionImpl>();
  readonly #pollMs: number;
  readonly #maxBuffered: number;
  #delivered: number;
  #timer?: NodeJS.Timeout;
  #detach: () => void;

  constructor(engine: Engine, options: ChangeFeedOptions = {}) {
    this.#engine = engine;
    this.#pollMs = options.pollMs ?? 200;
    this.#maxBuffered = options.maxBuffered ?? 10_000;
    this.#delivered = engine.lastSeq();
    this.#detach = engine.onCommit((writes) => this.#onCommit(writes));
  }

  /** Last seq handed to live subscribers. */
  get deliveredSeq(): number {
    return this.#delivered;
  }

  subscribe(filter: SubscriptionFilter, listener: ChangeListener, options: SubscribeOptions = {}): Subscription {
    if (typeof listener !== 'function') throw new TypeError('subscribe expects a listener function');
    const match = compileMatch(filter ?? {});
    // Without `since`, a subscription starts at the log's end as of now: changes other processes
    // made before it (which this feed may not have polled yet) are not news to it.
    const last = this.#engine.lastSeq();
    const from = this.#startPoint(filter?.since, last);
    const start = from?.seq ?? last;
    const replaying = start < this.#delivered;
    const sub = new SubscriptionImpl(randomUUID(), match, listener, start, replaying, (s) => this.#ended(s));
    if (from?.micros !== undefined) sub.floor = { micros: from.micros, untilSeq: last };
    if (options?.room) sub.room = options.room;
    this.#subs.set(sub.id, sub);
    this.#schedulePoll();
    if (replaying) setImmediate(() => this.#replay(sub));
    return sub;
  }

  unsubscribe(id: string): void {
    const sub = this.#subs.get(id);
    if (!sub) throw new SubscriptionNotFoundError(`Subscription not found: ${id}`);
    sub.end();
  }

  /** The same subscription as an async iterator; `return()` (or `break`) ends it. */
  watch(filter: SubscriptionFilter = {}): AsyncIterableIterator<ChangeEvent> {
    const queue: ChangeEvent[] = [];
    let wake: (() => void) | undefined;
    let failure: Error | undefined;
    const sub = this.subscribe(filter, (event) => {
      queue.push(event);
      wake?.();
    });
    // Events are handed over only while the buffer has room (live or replayed); past that the
    // subscription reads on from the log as the buffer drains (see #lag and #replay).
    (sub as SubscriptionImpl).room = () => this.#maxBuffered - queue.length;
    // While a loop waits for the next change, this keeps the process up, as a socket read would
    // (an in-memory database has no poll timer to do it).
    const keepAlive = setInterval(() => undefined, 1 << 30).unref();
    sub.ended.then(() => wake?.(), (err: Error) => {
      failure = err;
      wake?.();
    }).finally(() => clearInterval(keepAlive));
    const iterator: AsyncIterableIterator<ChangeEvent> = {
      next: async () => {
        for (;;) {
          if (queue.length > 0) {
            const value = queue.shift()!;
            if (queue.length <= this.#maxBuffered / 2) sub.resume();
            return { value, done: false };
          }
          if (failure) throw failure;
          if ((sub as SubscriptionImpl).mode === 'ended') return { value: undefined, done: true };
          keepAlive.ref();
          await new Promise<void>((r) => (wake = r));
          keepAlive.unref();
          wake = undefined;
        }
      },
      return: async () => {
        sub.unsubscribe();
        queue.length = 0;
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** Looks for other processes' commits now (the poll timer calls this too). */
  poll(): void {
    const last = this.#engine.isClosed ? this.#delivered : this.#engine.lastSeq();
    if (last > this.#delivered) this.#catchUp(last);
  }

  close(): void {
    for (const sub of [...this.#subs.values()]) sub.end();
    this.#detach();
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  get subscriberCount(): number {
    return this.#subs.size;
  }

  #onCommit(writes: readonly CommittedWrite[]): void {
    const first = writes[0].version.seq;
    if (first > this.#delivered + 1) this.#catchUp(first - 1);
    if (this.#subs.size === 0) {
      this.#delivered = Math.max(this.#delivered, writes[writes.length - 1].version.seq);
      return;
    }
    for (const w of writes) this.#dispatch(PendingChange.fromCommit(this.#engine, w));
  }

  #catchUp(upTo: number): void {
    for (const c of this.#engine.reader.changesAfter(this.#delivered)) {
      if (c.seq > upTo) break;
      if (this.#subs.size === 0) this.#delivered = c.seq;
      else this.#dispatch(PendingChange.fromLog(this.#engine, c));
    }
  }

  #dispatch(change: PendingChange): void {
    this.#delivered = Math.max(this.#delivered, change.seq);
    for (const sub of this.#subs.values()) {
      if (sub.mode !== 'live') continue;
      if (sub.room() > 0) sub.deliver(change);
      else this.#lag(sub);
    }
  }

  /**
   * A consumer whose buffer is full (a `watch()` iterator behind a large commit) goes back to
   * reading the log, from where it is, as it drains: nothing is lost and nothing piles up here.
   */
  #lag(sub: SubscriptionImpl): void {
    sub.mode = 'replaying';
    this.#replayWhenRoom(sub);
  }

  /** Lets the consumer's next drain continue the replay (see `SubscriptionImpl.resume`). */
  #replayWhenRoom(sub: SubscriptionImpl): void {
    sub.onRoom = () => {
      sub.onRoom = undefined;
      setImmediate(() => this.#replay(sub));
    };
  }

  /** Feeds a replaying subscriber from the log in chunks until it meets the live feed. */
  #replay(sub: SubscriptionImpl): void {
    if (sub.mode !== 'replaying' || this.#engine.isClosed) return;
    let n = 0;
    let full = false;
    try {
      for (const c of this.#engine.reader.changesAfter(sub.cursor)) {
        if (c.seq > this.#delivered || sub.mode !== 'replaying') break;
        if (sub.room() <= 0) {
          full = true;
          break;
        }
        // Skipped before the change's previous version is looked up.
        if (sub.beforeFloor(c.seq, c.version.micros)) sub.cursor = c.seq;
        else sub.deliver(PendingChange.fromLog(this.#engine, c));
        if (++n >= REPLAY_CHUNK) break;
      }
    } catch (err) {
      sub.end(err as Error);
      return;
    }
    if (sub.mode !== 'replaying') return;
    if (full) this.#replayWhenRoom(sub);
    else if (sub.cursor >= this.#delivered) sub.mode = 'live';
    else setImmediate(() => this.#replay(sub));
  }

  /**
   * Where `since` starts: after a seq, or (for a time) the seq before the first change at or after
   * it, with that time as the subscription's floor.
   */
  #startPoint(since: SubscriptionFilter['since'], last: number): { seq: number; micros?: number } | undefined {
    if (since === undefined || since === null) return undefined;
    if (typeof since === 'number') {
      checkSeqInLog(since, last);
      return { seq: since };
    }
    const micros = toMicros(since);
    // Once versions were imported the log is not in time order: read it from the start (the
    // floor skips what is older) instead of searching it.
    return { seq: this.#engine.hasImports() ? 0 : this.#firstSeqAtOrAfter(micros, last) - 1, micros };
  }

  /** Binary search of the change log by time (seqs are dense; without imports, timestamps grow with seq). */
  #firstSeqAtOrAfter(micros: number, last: number): number {
    let lo = 1;
    let hi = last + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const c = this.#engine.reader.change(mid);
      if (c && c.version.micros >= micros) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  #schedulePoll(): void {
    if (this.#timer || !this.#engine.store.supports.multiProcess) return;
    this.#timer = setInterval(() => {
      try {
        this.poll();
      } catch (err) {
        process.emitWarning(`change feed poll failed: ${(err as Error).message}`, 'KoruDeltaWarning');
      }
    }, this.#pollMs);
    // Not unref'd: while anyone listens, other processes' writes may still come, so the process
    // stays up for them (as it would for an open socket). Unsubscribing or closing releases it.
  }

  #ended(sub: SubscriptionImpl): void {
    this.#subs.delete(sub.id);
    if (this.#subs.size === 0 && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}
