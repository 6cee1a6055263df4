import { SubscriptionOverflowError } from '../errors.js';
import type { PendingChange } from './change-event.js';
import type { ChangeListener, ChangeType, Subscription } from './types.js';

export interface SubscriptionMatch {
  namespace?: string;
  key?: string;
  changeTypes?: ReadonlySet<ChangeType>;
  predicate?: (doc: import('../engine/types.js').JsonValue) => boolean;
}

/** Async listener calls a subscription may have unsettled before it is ended as overflowing. */
export const MAX_PENDING_LISTENER_CALLS = 10_000;

/**
 * One subscriber. It is `replaying` while it reads missed changes from the change log and `live`
 * once it has caught up with the feed; `cursor` is the last seq it was given, so a change is
 * delivered exactly once whichever path brings it.
 */
export class SubscriptionImpl implements Subscription {
  readonly id: string;
  readonly ended: Promise<void>;
  cursor: number;
  mode: 'replaying' | 'live' | 'ended';
  /**
   * How many more events the consumer can take now. A replay stops when it is 0 and waits for
   * `resume` to be called (watch() buffers events, a server writes them to a socket; a replay must
   * not overflow a consumer that keeps up).
   */
  room: () => number = () => Infinity;
  /** Set while a replay waits for room: continues it. */
  onRoom?: () => void;
  /**
   * `since: <time>`: the changes already in the log when it subscribed (up to `untilSeq`) are
   * given only from `micros` on. (An imported version keeps its own, older timestamp, so the log
   * is not in time order once something was imported; later changes are all given.)
   */
  floor?: { micros: number; untilSeq: number };
  #match: SubscriptionMatch;
  #listener: ChangeListener;
  #pending = 0;
  #settle!: { resolve: () => void; reject: (err: Error) => void };
  #onEnd: (sub: SubscriptionImpl) => void;

  constructor(id: string, match: SubscriptionMatch, listener: ChangeListener, cursor: number, replaying: boolean, onEnd: (sub: SubscriptionImpl) => void) {
    this.id = id;
    this.#match = match;
    this.#listener = listener;
    this.cursor = cursor;
    this.mode = replaying ? 'replaying' : 'live';
    this.#onEnd = onEnd;
    this.ended = new Promise((resolve, reject) => (this.#settle = { resolve, reject }));
    // An `ended` nobody awaits must not become an unhandled rejection.
    this.ended.catch(() => undefined);
  }

  matches(change: PendingChange): boolean {
    const m = this.#match;
    if (m.namespace !== undefined && change.namespace !== m.namespace) return false;
    if (m.key !== undefined && change.key !== m.key) return false;
    if (m.changeTypes && !m.changeTypes.has(change.changeType)) return false;
    return !m.predicate || m.predicate(change.document);
  }

  /** Whether the change at `seq`, of a version at `micros`, is before this subscription's `since` time. */
  beforeFloor(seq: number, micros: number): boolean {
    return this.floor !== undefined && seq <= this.floor.untilSeq && micros < this.floor.micros;
  }

  /** Hands one change to the listener if it matches; never throws. */
  deliver(change: PendingChange): void {
    if (this.mode === 'ended' || change.seq <= this.cursor) return;
    this.cursor = change.seq;
    if (this.beforeFloor(change.seq, change.version.micros)) return;
    let matched: boolean;
    try {
      matched = this.matches(change);
    } catch (err) {
      warn(`subscription ${this.id} could not read change ${change.seq}`, err);
      return;
    }
    if (!matched) return;
    try {
      const result = this.#listener(change.toEvent());
      if (result && typeof (result as Promise<void>).then === 'function') this.#track(result as Promise<void>);
    } catch (err) {
      warn(`subscription ${this.id} listener threw`, err);
    }
  }

  #track(result: Promise<void>): void {
    if (++this.#pending > MAX_PENDING_LISTENER_CALLS) {
      this.end(new SubscriptionOverflowError(`Subscription ${this.id} ended: its listener fell more than ${MAX_PENDING_LISTENER_CALLS} changes behind (resume with since: ${this.cursor - 1})`));
    }
    result.then(
      () => void this.#pending--,
      (err) => {
        this.#pending--;
        warn(`subscription ${this.id} listener rejected`, err);
      },
    );
  }

  unsubscribe(): void {
    this.end();
  }

  resume(): void {
    this.onRoom?.();
  }

  end(error?: Error): void {
    if (this.mode === 'ended') return;
    this.mode = 'ended';
    this.#onEnd(this);
    if (error) this.#settle.reject(error);
    else this.#settle.resolve();
  }
}

function warn(what: string, err: unknown): void {
  process.emitWarning(`${what}: ${err instanceof Error ? err.message : String(err)}`, 'KoruDeltaWarning');
}
