import type { JsonValue, TimeInput } from '../engine/types.js';
import type { Filter } from '../query/types.js';

export type ChangeType = 'insert' | 'update' | 'delete';

/**
 * One committed change. `insert`: the key had no live value before; `delete`: a tombstone (value
 * null). `seq` is the local change-log sequence number: events arrive in seq order, once each.
 */
export interface ChangeEvent {
  seq: number;
  changeType: ChangeType;
  namespace: string;
  key: string;
  value: JsonValue;
  previousValue: JsonValue;
  versionId: string;
  previousVersionId: string | null;
  timestamp: string;
}

/** Which changes a subscription receives. Every field narrows; none means everything. */
export interface SubscriptionFilter {
  namespace?: string;
  key?: string;
  /** A query filter applied to the new value (for deletes, to the previous value). */
  filter?: Filter | string;
  changeTypes?: ChangeType[];
  /**
   * Replay from the change log first: a number is the last seq already seen (delivery starts after
   * it); a Date or ISO string starts with the first change at or after that time.
   */
  since?: number | Exclude<TimeInput, number>;
}

export type ChangeListener = (event: ChangeEvent) => void | Promise<void>;

/**
 * Flow control for a listener that hands events on to something slower (a socket): while `room()`
 * is 0 or less, no event is delivered and the subscription reads on from the change log later,
 * from where it stopped, once `resume()` is called on it; nothing piles up in memory, nothing is lost.
 */
export interface SubscribeOptions {
  room?: () => number;
}

export interface Subscription {
  readonly id: string;
  unsubscribe(): void;
  /** Settles when the subscription ends: resolves on unsubscribe, rejects if it overflowed. */
  readonly ended: Promise<void>;
  /** With `SubscribeOptions.room`: there is room again, delivery goes on (a no-op otherwise). */
  resume(): void;
}
