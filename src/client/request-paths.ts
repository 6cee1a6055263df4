// Where each call goes: paths and parameters, after the library's own checks of what goes in them.
import { InvalidKeyError, fullKey } from '../errors.js';
import { checkKey, checkNamespace } from '../engine/names.js';
import { formatMicros, toMicros } from '../engine/time.js';
import { checkSubscriptionFilter } from '../events/filter.js';
import type { SubscriptionFilter } from '../events/types.js';
import type { Filter } from '../query/types.js';
import { checkViewName } from '../views/names.js';

const enc = encodeURIComponent;

/**
 * A time as it travels: resolved here, as the library resolves it, into the exact instant (every
 * form the library takes arrives as one the server reads the same way; '5m ago' is not re-read later).
 */
export function timeParam(micros: number | undefined): string | undefined {
  return micros === undefined ? undefined : formatMicros(micros);
}

/**
 * The path of a namespace, after the library's own check of its name: a name the library refuses
 * never reaches a URL, where a reserved one would address another route (`views/x` is a view,
 * `watch` the change feed) and a call could act on the wrong thing.
 */
export function nsPath(namespace: string): string {
  checkNamespace(namespace);
  return `/api/v1/${enc(namespace)}`;
}

/** The path of a key, after the library's checks of both names (in its order: namespace first). */
export function keyPath(namespace: string, key: string): string {
  const path = nsPath(namespace);
  checkKey(namespace, key);
  // fetch resolves `.` and `..` segments even percent-encoded: the request would reach another route.
  if (key === '.' || key === '..') {
    throw new InvalidKeyError(`Invalid key ${fullKey(namespace, key)}: a key spelled ${key} cannot be sent in a URL (use the embedded API)`, { namespace, key });
  }
  return `${path}/${enc(key)}`;
}

/** The path of a view, after the library's check of its name (`.` and `..` would become path steps). */
export function viewPath(name: string): string {
  checkViewName(name);
  return `/api/v1/views/${enc(name)}`;
}

/** A filter as a `?filter=` parameter: an expression as it is, a filter object as its JSON (an expression never starts with `{`). */
export function filterText(filter: Filter | string | undefined): string | undefined {
  return filter === undefined || typeof filter === 'string' ? filter : JSON.stringify(filter);
}

/**
 * The query of a watch request, checked as the library's `watch()` checks its filter, and as
 * synchronously: a filter the library refuses fails the call itself, before any request.
 */
export function watchQuery(filter: SubscriptionFilter): Record<string, string | undefined> {
  checkSubscriptionFilter(filter);
  const { since } = filter;
  return {
    namespace: filter.namespace,
    key: filter.key,
    changeTypes: filter.changeTypes?.join(','),
    filter: filterText(filter.filter),
    // A number is a seq; a time is resolved here, once, so that a reconnection before the first
    // event asks for the same instant ('now' or '5m ago' again would skip what came meanwhile),
    // and so that a string of digits stays a time, as it is for the library.
    since: since === undefined || since === null ? undefined : typeof since === 'number' ? String(since) : formatMicros(toMicros(since)),
  };
}
