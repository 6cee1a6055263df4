import { InvalidQueryError, fullKey } from '../errors.js';
import type { Filter } from '../query/types.js';

/**
 * A filter sent as URL text (`?filter=`): a filter object as its JSON (an expression never starts
 * with `{`), or an expression as it is, for the library to check. `where` names it in the error;
 * `subject` is the key it is about, if any.
 */
export function filterParam(text: string, where: string, subject?: { namespace: string; key: string }): Filter | string {
  if (!text.trimStart().startsWith('{')) return text;
  try {
    return JSON.parse(text) as Filter;
  } catch {
    const about = subject === undefined ? '' : ` for ${fullKey(subject.namespace, subject.key)}`;
    throw new InvalidQueryError(`Invalid query at ${where}${about}: not valid JSON`, { path: where, ...subject });
  }
}
