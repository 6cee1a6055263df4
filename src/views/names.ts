import { InvalidNamespaceError } from '../errors.js';

const NAME = /^[A-Za-z0-9.-][A-Za-z0-9_.-]{0,63}$/;

/**
 * A view's name: a namespace's characters, not `.` or `..` (a view's URL is
 * `/api/v1/views/<name>`, where those two would be read as path steps). Names reserved for
 * namespace routes are fine: no route shares a view's URL. Pure, so the HTTP client checks with it.
 */
export function checkViewName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new InvalidNamespaceError(`Invalid view name ${JSON.stringify(name)}: use 1-64 characters of A-Z a-z 0-9 _ . - not starting with _`);
  }
  if (name === '.' || name === '..') throw new InvalidNamespaceError(`Invalid view name ${JSON.stringify(name)}: . and .. are path segments a URL cannot carry`);
}
