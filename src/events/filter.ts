// Pure: no engine or store, so the HTTP client can check a filter as the library does.
import { InvalidQueryError } from '../errors.js';
import { checkKey, checkNamespace } from '../engine/names.js';
import { toMicros } from '../engine/time.js';
import { compileFilter } from '../query/filter.js';
import type { SubscriptionMatch } from './subscription.js';
import type { ChangeType, SubscriptionFilter } from './types.js';

const CHANGE_TYPES: ReadonlySet<string> = new Set(['insert', 'update', 'delete']);

/**
 * Checks a subscription filter as `subscribe` and `watch` do (all but `since` against the log),
 * throwing the error they would: for clients that build a subscription elsewhere.
 */
export function checkSubscriptionFilter(filter: SubscriptionFilter): void {
  compileMatch(filter ?? {});
  const since = filter?.since;
  if (typeof since === 'number') checkSeq(since);
  else if (since !== undefined && since !== null) toMicros(since);
}

/** A `since` seq: a non-negative integer. */
export function checkSeq(since: number): void {
  if (!Number.isInteger(since) || since < 0) throw new InvalidQueryError(`Invalid since: ${since} (a seq is a non-negative integer)`);
}

/**
 * A `since` seq against the log's last one: past it, a seq would silently swallow the changes to
 * come (most likely a time in epoch milliseconds, which `since` does not take as a number).
 */
export function checkSeqInLog(since: number, last: number): void {
  checkSeq(since);
  if (since > last) {
    throw new InvalidQueryError(`Invalid since: ${since} is past the last change (seq ${last}); a number is a change sequence number (for a time, give a Date or an ISO string)`);
  }
}

export function compileMatch(filter: SubscriptionFilter): SubscriptionMatch {
  if (typeof filter !== 'object') throw new InvalidQueryError('Invalid subscription filter: expected an object');
  const match: SubscriptionMatch = {};
  if (filter.namespace !== undefined) {
    checkNamespace(filter.namespace);
    match.namespace = filter.namespace;
  }
  if (filter.key !== undefined) {
    checkKey(filter.namespace ?? '*', filter.key);
    match.key = filter.key;
  }
  if (filter.changeTypes !== undefined) {
    // An empty list would make a subscription that can never deliver: refused as a mistake.
    if (!Array.isArray(filter.changeTypes) || filter.changeTypes.length === 0 || filter.changeTypes.some((t) => !CHANGE_TYPES.has(t))) {
      throw new InvalidQueryError(`Invalid changeTypes: ${JSON.stringify(filter.changeTypes)} (use insert, update, delete)`);
    }
    match.changeTypes = new Set<ChangeType>(filter.changeTypes);
  }
  if (filter.filter !== undefined) match.predicate = compileFilter(filter.filter, 'filter');
  return match;
}
